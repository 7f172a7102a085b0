from flask import Flask

from identity.adapters.signing_keys import load_signing_keys
from identity.adapters.token_state import IdentityTokenState
from identity.api import blueprints
from identity.api.errors import ERROR_TABLE, install_error_headers
from identity.bootstrap import bootstrap, own_token_verifier
from identity.config import IdentityConfig
from identity.pages import install_staff_pages
from identity.spec import SPEC
from servicekit.service import build_app


def create_app(config: IdentityConfig | None = None) -> Flask:
    config = config or SPEC.load_config()
    keys = load_signing_keys(config.jwt_private_keys, config.local_dir)
    app = build_app(
        SPEC, config, blueprints(), error_table=ERROR_TABLE,
        verifier=own_token_verifier(config, keys),
        # Identity holds the facts: a revoked token is refused at once.
        token_state=lambda runtime: IdentityTokenState(runtime.engine),
    )
    app.extensions["identity"] = bootstrap(config, app.extensions["servicekit.runtime"], keys)
    install_error_headers(app)
    install_staff_pages(app, config)
    return app
