from flask import Flask

from docportal.api import blueprints
from docportal.api.errors import ERROR_TABLE
from docportal.bootstrap import bootstrap, s3_storage
from docportal.config import DocportalConfig
from docportal.portal import install_portal
from docportal.service_layer.ports import RecipientAccounts
from docportal.spec import SPEC
from servicekit.auth import TokenVerifier
from servicekit.service import build_app

#: Room for the multipart framing and form fields around the largest allowed file.
FORM_OVERHEAD_BYTES = 64 * 1024


def create_app(config: DocportalConfig | None = None, verifier: TokenVerifier | None = None,
               *, accounts: RecipientAccounts | None = None) -> Flask:
    """The docportal API and the recipient pages under /portal/.

    Tokens are checked with identity's JWKS when JWKS_URL is set; ``accounts`` replaces
    the HTTP client of identity's recipient accounts (tests pass a fake).
    """
    config = config or SPEC.load_config()
    storage = s3_storage(config)
    app = build_app(
        SPEC, config, blueprints(), error_table=ERROR_TABLE, verifier=verifier,
        max_content_length=config.max_upload_bytes + FORM_OVERHEAD_BYTES,
    )
    install_portal(app, config)
    app.extensions["docportal"] = bootstrap(
        config, app.extensions["servicekit.runtime"], storage=storage, accounts=accounts)
    return app
