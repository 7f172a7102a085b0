"""The recipient pages under /portal/: server-rendered, no JavaScript needed."""

from __future__ import annotations

from datetime import timedelta
from typing import NoReturn

from flask import Flask
from werkzeug.exceptions import NotFound

from docportal.adapters.portal_sessions import PortalSessionStore
from docportal.config import DocportalConfig
from docportal.portal import documents, links, sign_in
from docportal.portal.blueprint import blueprint
from docportal.portal.session import SIGNED_IN_AS
from servicekit.web.pages import install_page_sessions

__all__ = ["documents", "install_portal", "links", "sign_in"]

SESSION_COOKIE = "clinic_portal"


@blueprint.route("/<path:_anything>", methods=["GET", "POST"])
def unknown_page(_anything: str) -> NoReturn:
    """Any other /portal/ address: the portal's own 404 page, not the API's JSON."""
    raise NotFound()


def install_portal(app: Flask, config: DocportalConfig) -> None:
    """Register the pages and the server-side sessions they sign recipients in with."""
    engine = app.extensions["servicekit.runtime"].engine
    store = PortalSessionStore(engine, config.portal_session_secret,
                               timedelta(hours=config.portal_session_hours))
    install_page_sessions(app, store, cookie=SESSION_COOKIE, path="/portal",
                          secure=config.portal_cookie_secure, signed_in_as=SIGNED_IN_AS)
    app.config["SECRET_KEY"] = config.portal_session_secret
    app.register_blueprint(blueprint)
