"""The recipient pages under /portal/: server-rendered, no JavaScript needed."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from werkzeug.exceptions import NotFound

from docportal.adapters.portal_sessions import PortalSessionStore
from docportal.config import DocportalConfig
from docportal.portal import documents, links, sign_in
from docportal.portal.blueprint import blueprint
from docportal.portal.server_session import PortalSessionInterface

__all__ = ["documents", "install_portal", "links", "sign_in"]

SESSION_COOKIE = "clinic_portal"


@blueprint.route("/<path:_anything>", methods=["GET", "POST"])
def unknown_page(_anything: str) -> None:
    """Any other /portal/ address: the portal's own 404 page, not the API's JSON."""
    raise NotFound()


def install_portal(app: Flask, config: DocportalConfig) -> None:
    """Register the pages and the server-side sessions they sign recipients in with."""
    engine = app.extensions["servicekit.runtime"].engine
    app.session_interface = PortalSessionInterface(PortalSessionStore(
        engine, config.portal_session_secret, timedelta(hours=config.portal_session_hours)))
    app.config.update(
        SECRET_KEY=config.portal_session_secret,
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_PATH="/portal",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.portal_cookie_secure,
    )
    app.register_blueprint(blueprint)
