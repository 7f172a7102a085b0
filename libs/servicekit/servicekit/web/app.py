"""The Flask app every service starts from: errors, request ids, logs, health, metrics, docs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import flask_smorest
import marshmallow as ma
from flask import Flask

from servicekit.web.access_log import install_access_log
from servicekit.web.caching import install_no_store
from servicekit.web.errors import ErrorTable, register_error_handlers
from servicekit.web.health import install_health
from servicekit.web.input_guard import install_input_guard
from servicekit.web.metrics import install_metrics
from servicekit.web.openapi import ErrorResponsesPlugin, register_error_responses
from servicekit.web.request_context import install_request_context

if TYPE_CHECKING:
    from servicekit.auth import TokenVerifier
    from servicekit.token_state import TokenState


class ErrorBodySchema(ma.Schema):
    code = ma.fields.Str(metadata={"description": "Stable, machine-readable error code"})
    message = ma.fields.Str(metadata={"description": "What the caller can do next"})
    details = ma.fields.Dict(metadata={"description": "Fields or checks that failed"})


class ErrorSchema(ma.Schema):
    """The shared error shape, documented in every service's OpenAPI document."""

    error = ma.fields.Nested(ErrorBodySchema)


class ServiceApi(flask_smorest.Api):  # type: ignore[misc]  # flask-smorest ships no types
    # Only documents the shape; servicekit's own handlers build the bodies.
    ERROR_SCHEMA = ErrorSchema

    def _register_responses(self) -> None:
        super()._register_responses()
        register_error_responses(self.spec, self.ERROR_SCHEMA)


def create_service_app(
    *,
    name: str,
    version: str = "1.0.0",
    blueprints: Iterable[flask_smorest.Blueprint] = (),
    readiness_checks: Mapping[str, Callable[[], None]] | None = None,
    error_table: ErrorTable | None = None,
    verifier: TokenVerifier | None = None,
    token_state: TokenState | None = None,
    max_content_length: int | None = None,
    flask_config: Mapping[str, Any] | None = None,
    import_name: str | None = None,
    gateway_prefix: str | None = None,
) -> Flask:
    """Build a service's Flask app with the platform's shared behaviour around its blueprints.

    An app that accepts tokens (``verifier``) must say which of them were revoked since they
    were issued (``token_state``): no service can forget revocation. Its OpenAPI document
    names the gateway prefix it is served under (``/api/<name>`` unless ``gateway_prefix``).
    """
    if verifier is not None and token_state is None:
        raise ValueError(f"{name}: an app that verifies tokens needs a token_state")
    app = Flask(import_name or name)
    app.config.update(
        API_TITLE=name,
        API_VERSION=version,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={"servers": [{
            "url": gateway_prefix or f"/api/{name}",
            "description": "The gateway's prefix for this service (an absolute path on the "
                           "gateway's own host)"}]},
    )
    app.config.update(flask_config or {})
    if max_content_length is not None:
        app.config["MAX_CONTENT_LENGTH"] = max_content_length

    # Request ids first: every later hook, log line and error handler may use them.
    install_request_context(app)
    registry = install_metrics(app, name)
    install_access_log(app)
    install_no_store(app)
    install_health(app, readiness_checks)
    install_input_guard(app)

    api = ServiceApi(app, spec_kwargs={"extra_plugins": [ErrorResponsesPlugin()]})
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    # After the Api, whose own HTTPException handler this replaces.
    register_error_handlers(app, error_table)

    app.extensions["servicekit.api"] = api
    app.extensions["servicekit.verifier"] = verifier
    app.extensions["servicekit.token_state"] = token_state
    app.extensions["servicekit.metrics_registry"] = registry
    return app
