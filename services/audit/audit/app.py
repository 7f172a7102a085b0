from flask import Flask

from audit.api import blueprints
from audit.api.errors import ERROR_TABLE
from audit.bootstrap import bootstrap
from audit.config import AuditConfig
from audit.spec import SPEC
from servicekit.auth import TokenVerifier
from servicekit.service import build_app


def create_app(config: AuditConfig | None = None, verifier: TokenVerifier | None = None) -> Flask:
    """The audit API; tests pass a verifier for their own signing key."""
    config = config or SPEC.load_config()
    app = build_app(SPEC, config, blueprints(), error_table=ERROR_TABLE,
                    verifier=verifier)
    app.extensions["audit"] = bootstrap(config, app.extensions["servicekit.runtime"])
    return app
