from flask import Flask

from audit.api import alert_push, alerts, breach, chain, events, reports, stream
from audit.api.errors import ERROR_TABLE
from audit.config import AuditConfig
from audit.spec import SPEC
from servicekit.auth import TokenVerifier
from servicekit.service import build_app


def create_app(config: AuditConfig | None = None, verifier: TokenVerifier | None = None) -> Flask:
    """The audit API; tokens are checked with identity's JWKS when JWKS_URL is set."""
    config = config or SPEC.load_config()
    if verifier is None and config.jwks_url:
        verifier = TokenVerifier(issuer=config.jwt_issuer, audience=config.jwt_audience,
                                 jwks_url=config.jwks_url)
    blueprints = (events.blp, alerts.blp, alert_push.blp, reports.blp, breach.blp, chain.blp,
                  stream.blp)
    return build_app(SPEC, config, blueprints, error_table=ERROR_TABLE, verifier=verifier)
