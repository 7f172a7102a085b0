"""The recipient pages' Blueprint: a plain Flask one, so the HTML stays out of the OpenAPI."""

from __future__ import annotations

from flask import Blueprint, g, redirect, request, url_for
from werkzeug.wrappers import Response

from docportal.portal.problems import install_problem_pages
from docportal.portal.session import current_recipient
from docportal.service_layer.callers import Recipient
from servicekit.local_time import local_date, local_time
from servicekit.web.pages import csrf_token, guard_pages

blueprint = Blueprint("portal", __name__, url_prefix="/portal", template_folder="templates",
                      static_folder="static", static_url_path="/static")
install_problem_pages(blueprint)
guard_pages(blueprint)


@blueprint.context_processor
def _template_globals() -> dict:
    # Times are shown in the sending practice's zone: "7 Dec 2026, 14:05 EST".
    return {"csrf_token": csrf_token, "recipient": g.get("recipient"),
            "local_time": local_time, "local_date": local_date}


def client_description() -> str:
    """The client as the sender sees it: address (after ProxyFix) and browser."""
    return f"{request.remote_addr or 'unknown address'} {request.user_agent.string}".strip()


def signed_in() -> Recipient | Response:
    """The signed-in recipient, or a redirect to the sign-in page that comes back here."""
    recipient = current_recipient()
    if recipient is None:
        return redirect(url_for("portal.login", next=request.full_path.rstrip("?")))
    return recipient


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a page of this portal, never another site."""
    if target and target.startswith("/portal/") and not target.startswith("//") \
            and "\\" not in target:
        return target
    return url_for("portal.shared")
