"""The patient pages' Blueprint: a plain Flask one, so the HTML stays out of the OpenAPI."""

from __future__ import annotations

import logging

from flask import Blueprint, render_template

from notes.domain.errors import NotesError
from servicekit.web.pages import Problem, csrf_token, guard_pages, install_page_problems

log = logging.getLogger("notes.plan_pages")

blueprint = Blueprint("plan", __name__, url_prefix="/plan", template_folder="templates",
                      static_folder="static", static_url_path="/static")
guard_pages(blueprint)

_TITLES = {
    "plan_link_unknown": "This link does not work",
    "plan_link_expired": "This link has expired",
    "plan_link_used": "You have already answered this plan",
    "plan_withdrawn": "The clinic withdrew this plan",
    "plan_link_locked": "This link is locked",
    "treatment_plan_conflict": "This plan is no longer waiting for an answer",
}


def page(problem: Problem) -> tuple[str, int]:
    return render_template("plan/problem.html", problem=problem), problem.status


def status_of(err: NotesError) -> int:
    """The API's status for the same refusal (410 for a link that no longer works)."""
    from notes.api.errors import ERROR_TABLE

    return next((ERROR_TABLE[cls][0] for cls in type(err).__mro__ if cls in ERROR_TABLE), 400)


@blueprint.errorhandler(NotesError)
def _refused(err: NotesError) -> tuple[str, int]:
    return page(Problem(status_of(err), err.code, _TITLES.get(err.code, "This did not work"),
                        err.message))


install_page_problems(
    blueprint, page, log=log, unavailable_title="Treatment plans are unavailable right now",
    not_found="Nothing lives at this address. Open the link from your email again, or contact "
              "the clinic that sent it.",
    ask_for_help="contact the clinic that sent you the link")


@blueprint.context_processor
def _template_globals() -> dict:
    return {"csrf_token": csrf_token}


@blueprint.app_template_filter("money")
def money(cents: int, currency: str) -> str:
    """1234567, "USD" -> "12,345.67 USD" (every currency shown with two decimals)."""
    return f"{cents // 100:,}.{cents % 100:02d} {currency}"
