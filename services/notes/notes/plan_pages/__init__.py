"""The patient pages under /plan/: a treatment plan opened from its mail, answered in place.

Server-rendered, no JavaScript. The link's token is the key and the address it was mailed to
the lock (domain/plan_links.py); the browser's session (servicekit.web.pages: a random id in
an HttpOnly, SameSite cookie on /plan only, the data sealed in notes' database) remembers
which links it proved the address of, and the CSRF token of the forms.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NoReturn

from flask import Flask
from werkzeug.exceptions import NotFound

from notes.adapters.tables import plan_page_sessions
from notes.config import NotesConfig
from notes.plan_pages import links
from notes.plan_pages.blueprint import blueprint
from servicekit.web.pages import SealedSessionStore, install_page_sessions

__all__ = ["install_plan_pages", "links"]

SESSION_COOKIE = "clinic_plan"


@blueprint.route("/<path:_anything>", methods=["GET", "POST"])
def unknown_page(_anything: str) -> NoReturn:
    """Any other /plan/ address: the pages' own 404 page, not the API's JSON."""
    raise NotFound()


def install_plan_pages(app: Flask, config: NotesConfig) -> None:
    engine = app.extensions["servicekit.runtime"].engine
    store = SealedSessionStore(engine, plan_page_sessions, config.plan_page_session_secret,
                               timedelta(hours=config.plan_page_session_hours),
                               purpose=b"plan-page-session:")
    install_page_sessions(app, store, cookie=SESSION_COOKIE, path="/plan",
                          secure=config.plan_cookie_secure, signed_in_as="_none")
    app.config["SECRET_KEY"] = config.plan_page_session_secret
    app.register_blueprint(blueprint)
