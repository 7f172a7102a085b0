"""What a service tells servicekit about itself, so that its CLI and app are one call each."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from flask import Flask
from sqlalchemy import Table
from werkzeug.middleware.proxy_fix import ProxyFix

from servicekit.auth import TokenVerifier
from servicekit.config import ServiceConfig, load_config
from servicekit.idempotency import IdempotencyKeys
from servicekit.logs import configure_logging
from servicekit.messaging.consumer import Subscription
from servicekit.messaging.tables import MessagingTables
from servicekit.metrics import name_process
from servicekit.runtime import Runtime
from servicekit.token_state import (
    BINDINGS,
    ProjectedTokenState,
    TokenState,
    says_anything_about_tokens,
    token_state_handler,
)
from servicekit.web.idempotency import EXTENSION as IDEMPOTENCY_EXTENSION

C = TypeVar("C", bound=ServiceConfig, covariant=True)


@dataclass(frozen=True)
class ServiceSpec(Generic[C]):
    """A service's name, config, tables and subscriptions.

    Every service that does not issue tokens itself (``issues_tokens``) gets one more
    subscription, ``<name>.token_state``, that keeps its projection of revoked tokens.
    """

    name: str
    config_class: type[C]
    messaging: MessagingTables
    migrations_dir: Path
    subscriptions: Sequence[Subscription] = field(default_factory=tuple)
    issues_tokens: bool = False
    # The service's idempotency_keys table (servicekit.idempotency), for @idempotent routes.
    idempotency_keys: Table | None = None

    def __post_init__(self) -> None:
        if self.issues_tokens:
            return
        tables = self.messaging.token_state
        if tables is None:
            raise ValueError(f"{self.name}: its messaging tables lack the token state")
        # The projection is idempotent: events that say nothing about tokens (accesses, most
        # of identity's traffic) are acked without a transaction.
        keep = Subscription(f"{self.name}.token_state", BINDINGS, token_state_handler(tables),
                            wants=says_anything_about_tokens)
        object.__setattr__(self, "subscriptions", (*self.subscriptions, keep))

    def load_config(self, **overrides: Any) -> C:
        return load_config(self.config_class, self.name, **overrides)

    def runtime(self, config: ServiceConfig | None = None) -> Runtime:
        return Runtime(config or self.load_config(), self.messaging)


def build_app(
    spec: ServiceSpec[ServiceConfig],
    config: ServiceConfig | None,
    blueprints: Iterable[Any] = (),
    *,
    token_state: Callable[[Runtime], TokenState] | None = None,
    **app_options: Any,
) -> Flask:
    """The service's Flask app with health, metrics, OpenAPI and its runtime attached.

    Tokens are checked against the service's projected token state; only the service that
    issues them (identity) gives its own, built from the runtime by ``token_state``. Their
    signatures are checked by ``verifier`` when given (identity's own keys, a test's key),
    else with identity's keys from JWKS_URL (``jwks_verifier``): built here once, for every
    service.
    """
    from servicekit.web.app import create_service_app

    runtime = spec.runtime(config)
    if app_options.get("verifier") is None:
        app_options["verifier"] = jwks_verifier(runtime.config)
    configure_logging(f"{spec.name}-api", runtime.config.log_level)
    name_process(spec.name)  # labels metrics of code that does not know its service (mailer)
    # An API is ready when its own database answers: writes go to the outbox, and a request
    # that needs the broker or the object store answers 503 itself (ARCHITECTURE.md).
    checks = {"database": runtime.check_database}
    app = create_service_app(
        name=spec.name, blueprints=blueprints, readiness_checks=checks,
        token_state=_token_state(spec, runtime, token_state), **app_options,
    )
    # Behind the gateway: trust one proxy hop for the client address, scheme and the
    # /api/<service> prefix, so generated URLs and Secure cookies come out right.
    # Flask's documented way to wrap its WSGI app in middleware.
    app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
        app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1)
    app.extensions["servicekit.runtime"] = runtime
    if spec.idempotency_keys is not None:
        app.extensions[IDEMPOTENCY_EXTENSION] = IdempotencyKeys(spec.idempotency_keys,
                                                                runtime.engine)
    return app


def jwks_verifier(config: ServiceConfig) -> TokenVerifier | None:
    """Identity's public keys from JWKS_URL; without it, no token is accepted."""
    if not config.jwks_url:
        return None
    return TokenVerifier(issuer=config.jwt_issuer, audience=config.jwt_audience,
                         jwks_url=config.jwks_url)


def _token_state(spec: ServiceSpec[ServiceConfig], runtime: Runtime,
                 own: Callable[[Runtime], TokenState] | None) -> TokenState:
    if spec.issues_tokens:
        if own is None:
            raise ValueError(f"{spec.name} issues tokens: give build_app its token_state")
        return own(runtime)
    if own is not None:
        raise ValueError(f"{spec.name}: its token state is the projection, not another")
    assert spec.messaging.token_state is not None  # ServiceSpec checked it
    return ProjectedTokenState(spec.messaging.token_state, runtime.engine)
