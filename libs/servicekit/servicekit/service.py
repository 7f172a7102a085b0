"""What a service tells servicekit about itself, so that its CLI and app are one call each."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from servicekit.config import ServiceConfig, load_config
from servicekit.logs import configure_logging
from servicekit.messaging.consumer import Subscription
from servicekit.messaging.tables import MessagingTables
from servicekit.metrics import name_process
from servicekit.runtime import Runtime


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    config_class: type[ServiceConfig]
    messaging: MessagingTables
    migrations_dir: Path
    subscriptions: Sequence[Subscription] = field(default_factory=tuple)

    def load_config(self, **overrides: Any) -> ServiceConfig:
        return load_config(self.config_class, self.name, **overrides)

    def runtime(self, config: ServiceConfig | None = None) -> Runtime:
        return Runtime(config or self.load_config(), self.messaging)


def build_app(
    spec: ServiceSpec,
    config: ServiceConfig | None,
    blueprints: Iterable[Any] = (),
    *,
    extra_checks: Mapping[str, Callable[[], None]] | None = None,
    **app_options: Any,
) -> Flask:
    """The service's Flask app with health, metrics, OpenAPI and its runtime attached."""
    from servicekit.web.app import create_service_app

    runtime = spec.runtime(config)
    configure_logging(f"{spec.name}-api", runtime.config.log_level)
    name_process(spec.name)  # labels metrics of code that does not know its service (mailer)
    checks = {**runtime.readiness_checks(), **(extra_checks or {})}
    app = create_service_app(
        name=spec.name, blueprints=blueprints, readiness_checks=checks, **app_options
    )
    # Behind the gateway: trust one proxy hop for the client address, scheme and the
    # /api/<service> prefix, so generated URLs and Secure cookies come out right.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1)
    app.extensions["servicekit.runtime"] = runtime
    return app
