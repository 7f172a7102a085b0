"""The staff pages' error pages: a clear title, what to do next, and the right status.

The API's JSON error handlers stay as they are; these answer only for the pages' own routes
(blueprint error handlers) and speak HTML.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Blueprint, render_template
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from identity.api.errors import ERROR_TABLE
from identity.domain.errors import IdentityError
from servicekit.web.errors import AppError
from servicekit.web.pages import FormExpired

log = logging.getLogger("identity.pages")


@dataclass(frozen=True)
class Problem:
    status: int
    code: str
    title: str
    message: str


_TITLES = {
    "link_expired": "This link has expired",
    "link_unusable": "This link no longer works",
    "seat_limit_reached": "The practice has no free seat",
    "state_conflict": "You may already have an account",
}
_HTTP = {
    400: ("bad_request", "Something was wrong with that request",
          "Go back, reload the page and try again."),
    404: ("not_found", "Page not found",
          "Nothing lives at this address. Check the link, or go to the sign-in page."),
    405: ("method_not_allowed", "Page not found",
          "Nothing lives at this address. Check the link, or go to the sign-in page."),
    413: ("payload_too_large", "That was too much to send", "Go back and send less."),
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

    @blueprint.errorhandler(FormExpired)
    def _form_expired(_: FormExpired) -> tuple[str, int]:
        return page(Problem(400, "form_expired", "This form has expired",
                            "Go back, reload the page and send the form again."))

    @blueprint.errorhandler(AppError)
    def _refused_by_plumbing(err: AppError) -> tuple[str, int]:
        # Refusals of the shared request guards (a NUL in the address, ...) keep their status.
        return page(Problem(err.status, err.code, "This did not work", err.message))

    @blueprint.errorhandler(HTTPException)
    def _http(err: HTTPException) -> tuple[str, int]:
        status = err.code or 500
        code, title, message = _HTTP.get(status, ("error", "This did not work",
                                                  "Go back and try again."))
        return page(Problem(status, code, title, message))

    @blueprint.errorhandler(Exception)
    def _unexpected(err: Exception) -> tuple[str, int]:
        if isinstance(err, sa_exc.OperationalError | sa_exc.InterfaceError):
            log.warning("database unreachable: %s", type(err).__name__)
            return page(Problem(503, "database_unavailable", "Sign-in is unavailable",
                                "We cannot reach our records right now; try again shortly."))
        log.error("unhandled %s", type(err).__name__, exc_info=err)
        return page(Problem(500, "internal_error", "Something went wrong on our side",
                            "Try again; if it keeps failing, contact your practice's Admin."))
