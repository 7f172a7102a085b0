"""The staff pages under /app/: server-rendered, no JavaScript needed.

Every link identity mails to staff lands here (accept-invitation, get-started,
reset-password), and so do sign-in and the signed-in home. The pages call identity's use
cases in-process, with the same throttles and rules as the API.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NoReturn

from flask import Flask
from werkzeug.exceptions import NotFound

from identity.adapters.audit_reports import HttpAuditReports
from identity.adapters.tables import staff_page_sessions
from identity.config import IdentityConfig
from identity.pages import (
    console,
    console_audit,
    console_profile,
    get_started,
    home,
    notification_choices,
    second_factor,
    sign_in,
)
from identity.pages.blueprint import blueprint
from identity.pages.session import SIGNED_IN_AS
from servicekit.web.pages import SealedSessionStore, install_page_sessions

__all__ = ["console", "console_audit", "console_profile", "get_started", "home",
           "install_staff_pages", "notification_choices", "second_factor", "sign_in"]

SESSION_COOKIE = "clinic_staff"


@blueprint.route("/<path:_anything>", methods=["GET", "POST"])
def unknown_page(_anything: str) -> NoReturn:
    """Any other /app/ address: the pages' own 404 page, not the API's JSON."""
    raise NotFound()


def install_staff_pages(app: Flask, config: IdentityConfig) -> None:
    """Register the pages and the server-side sessions they sign staff in with."""
    engine = app.extensions["servicekit.runtime"].engine
    store = SealedSessionStore(engine, staff_page_sessions, config.staff_session_secret,
                               timedelta(hours=config.staff_session_hours),
                               purpose=b"staff-session:")
    install_page_sessions(app, store, cookie=SESSION_COOKIE, path="/app",
                          secure=config.staff_cookie_secure, signed_in_as=SIGNED_IN_AS)
    app.config["SECRET_KEY"] = config.staff_session_secret
    # The console's "audit this profile" asks audit's API (tests put a fake here).
    app.extensions[console_audit.AUDIT_REPORTS] = HttpAuditReports(config.audit_url)
    app.register_blueprint(blueprint)
