"""The staff pages' Blueprint: a plain Flask one, so the HTML stays out of the OpenAPI."""

from __future__ import annotations

from flask import Blueprint, g, redirect, request, url_for
from werkzeug.wrappers import Response

from identity.pages.local_times import practice_date, practice_time
from identity.pages.problems import install_problem_pages
from identity.pages.session import current_staff
from servicekit.auth import Principal
from servicekit.web.pages import csrf_token, guard_pages

blueprint = Blueprint("staff_pages", __name__, url_prefix="/app", template_folder="templates",
                      static_folder="static", static_url_path="/static")
install_problem_pages(blueprint)
guard_pages(blueprint)


@blueprint.context_processor
def _template_globals() -> dict:
    # Times in the practice's zone: "7 Dec 2026, 14:05 EST" (pages/local_times.py).
    return {"csrf_token": csrf_token, "staff": g.get("staff"), "local_time": practice_time,
            "local_date": practice_date}


def signed_in() -> Principal | Response:
    """The signed-in staff member, or a redirect to the sign-in page that comes back here."""
    staff = current_staff()
    if staff is None:
        return redirect(url_for("staff_pages.login", next=request.full_path.rstrip("?")))
    return staff


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a page of these pages, never another site."""
    if target and target.startswith("/app/") and not target.startswith("//") \
            and "\\" not in target:
        return target
    return url_for("staff_pages.home")
