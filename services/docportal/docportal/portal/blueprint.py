"""The recipient pages' Blueprint: a plain Flask one, so the HTML stays out of the OpenAPI."""

from __future__ import annotations

from flask import Blueprint, Response, g, redirect, request, url_for

from docportal.portal.problems import install_problem_pages
from docportal.portal.session import check_csrf, csrf_token, current_recipient
from docportal.service_layer.callers import Recipient
from servicekit.web.errors import error_response

blueprint = Blueprint("portal", __name__, url_prefix="/portal", template_folder="templates",
                      static_folder="static", static_url_path="/static")
install_problem_pages(blueprint)


@blueprint.before_request
def _only_at_the_portals_own_address() -> Response | None:
    # Behind the gateway the pages live at /portal/ alone. Reached under an API prefix
    # (/api/docportal/portal/..., X-Forwarded-Prefix) they would miss the portal's rate
    # limits, CSP and the masking of link tokens in the access log: answer as the API would.
    if request.script_root:
        return error_response(404, "not_found", "Nothing lives at this address; check the URL.")
    return None


@blueprint.before_request
def _csrf() -> None:
    if request.method == "POST":
        check_csrf()


@blueprint.after_request
def _headers(response: Response) -> Response:
    # Pages name patients' documents and links carry tokens: keep both out of caches and
    # out of the Referer of anything the page links to. The gateway sets these too.
    response.headers.setdefault("Cache-Control", "private, no-store")
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blueprint.context_processor
def _template_globals() -> dict:
    return {"csrf_token": csrf_token, "recipient": g.get("recipient")}


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
