from flask import Flask

from notes.api import blueprints
from notes.api.errors import ERROR_TABLE
from notes.bootstrap import bootstrap
from notes.config import NotesConfig
from notes.plan_pages import install_plan_pages
from notes.spec import SPEC
from servicekit.auth import TokenVerifier
from servicekit.service import build_app


def create_app(config: NotesConfig | None = None, verifier: TokenVerifier | None = None) -> Flask:
    """The notes API; tests pass a verifier for their own signing key."""
    config = config or SPEC.load_config()
    app = build_app(
        SPEC, config, blueprints(), error_table=ERROR_TABLE,
        verifier=verifier,
    )
    app.extensions["notes"] = bootstrap(config, app.extensions["servicekit.runtime"])
    install_plan_pages(app, config)  # the patient pages under /plan/
    return app
