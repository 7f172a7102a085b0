"""The staff pages' error pages: a clear title, what to do next, and the right status.

The API's JSON error handlers stay as they are; these answer only for the pages' own routes
(blueprint error handlers) and speak HTML. Identity's refusals are worded here; the rest
(expired forms, HTTP errors, outages) by servicekit.web.pages.
"""

from __future__ import annotations

import logging

from flask import Blueprint, render_template

from identity.api.errors import ERROR_TABLE
from identity.domain.errors import IdentityError
from servicekit.web.pages import Problem, install_page_problems

log = logging.getLogger("identity.pages")

_TITLES = {
    "link_expired": "This link has expired",
    "link_unusable": "This link no longer works",
    "seat_limit_reached": "The practice has no free seat",
    "state_conflict": "You may already have an account",
}


def page(problem: Problem) -> tuple[str, int]:
    return render_template("app/problem.html", problem=problem), problem.status


def for_error(err: IdentityError) -> Problem:
    status = next((ERROR_TABLE[cls][0] for cls in type(err).__mro__ if cls in ERROR_TABLE), 400)
    return Problem(status, err.code, _TITLES.get(err.code, "This did not work"), err.message)


def install_problem_pages(blueprint: Blueprint) -> None:
    @blueprint.errorhandler(IdentityError)
    def _refused(err: IdentityError) -> tuple[str, int]:
        return page(for_error(err))

    install_page_problems(
        blueprint, page, log=log, unavailable_title="Sign-in is unavailable",
        not_found="Nothing lives at this address. Check the link, or go to the sign-in page.",
        ask_for_help="contact your practice's Admin")
