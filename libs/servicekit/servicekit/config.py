"""Settings read from the environment, with local defaults that need no server.

A service declares its settings as a frozen dataclass whose fields carry the names of the
environment variables they come from (``setting(...)``); ``load_config`` reads them. The base
class holds what every service needs; a service subclasses it to add its own.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from servicekit.production import PRODUCTION, check_production_safety

Default = Callable[[str, Path], Any]  # (service name, local dir) -> value

C = TypeVar("C", bound="ServiceConfig")


def setting(*env: str, default: Any = None, parse: Callable[[str], Any] = str) -> Any:
    """A config field read from the first of ``env`` that is set (``{SERVICE}`` is expanded)."""
    return field(default=None, metadata={"env": env, "default": default, "parse": parse})


def parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {raw!r}")


def _sqlite_default(service: str, local_dir: Path) -> str:
    return f"sqlite:///{local_dir / (service + '.db')}"


def local_secret(filename: str) -> Default:
    """A default for a secret shared by services of the local stack.

    The first process to need it writes 32 random bytes (hex) to ``LOCAL_DIR/filename``,
    readable by its owner only; every other process of the stack reads the same file.
    Production sets the environment variable instead and never touches the file.
    """

    def read_or_create(service: str, local_dir: Path) -> str:
        path = local_dir / filename
        if not path.exists():
            local_dir.mkdir(parents=True, exist_ok=True)
            draft = local_dir / f".{filename}.{os.getpid()}"
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
            try:
                os.link(draft, path)  # atomic: the first writer wins, the rest read its file
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        return path.read_text().strip()

    return read_or_create


@dataclass(frozen=True)
class ServiceConfig:
    # The fields holding secrets or keys: production refuses to start without each of them
    # and never generates one (servicekit.production). A service lists its own.
    SECRETS: ClassVar[tuple[str, ...]] = ()

    service: str = ""
    local_dir: Path = Path(".local")
    database_url: str = setting("{SERVICE}_DATABASE_URL", "DATABASE_URL", default=_sqlite_default)
    bus_url: str = setting("BUS_URL", default="filesystem://")
    bus_dir: Path = setting(
        "BUS_FILESYSTEM_DIR", default=lambda s, d: d / "bus", parse=Path
    )
    bus_quorum_queues: bool = setting("BUS_QUORUM_QUEUES", default=False, parse=parse_bool)
    bus_heartbeat_seconds: int = setting("BUS_HEARTBEAT_SECONDS", default=30, parse=int)
    relay_batch_size: int = setting("RELAY_BATCH_SIZE", default=200, parse=int)
    relay_poll_seconds: float = setting("RELAY_POLL_SECONDS", default=0.2, parse=float)
    consumer_prefetch: int = setting("CONSUMER_PREFETCH", default=200, parse=int)
    consumer_batch_size: int = setting("CONSUMER_BATCH_SIZE", default=50, parse=int)
    consumer_max_attempts: int = setting("CONSUMER_MAX_ATTEMPTS", default=5, parse=int)
    consumer_retry_backoff_seconds: float = setting(
        "CONSUMER_RETRY_BACKOFF_SECONDS", default=0.2, parse=float
    )
    jwks_url: str | None = setting("JWKS_URL", default=None)
    jwt_issuer: str = setting("JWT_ISSUER", default="clinic-identity")
    jwt_audience: str = setting("JWT_AUDIENCE", default="clinic-platform")
    log_level: str = setting("LOG_LEVEL", default="INFO")
    # Where a relay or consumer serves /metrics; unset, none (local processes would collide).
    metrics_port: int | None = setting("METRICS_PORT", default=None, parse=int)
    # "production" refuses local defaults and placeholders at start-up (servicekit.production).
    app_env: str = setting("APP_ENV", default="local")
    # Seals the texts in the service's mail outbox (servicekit.mail_outbox): a copy of the
    # database holds no link, address or words of a mail waiting to be sent. Several secrets
    # separated by spaces during a rotation (the first seals, every one opens). Every mailing
    # service lists it in its SECRETS.
    mail_outbox_secret: str | None = setting(
        "MAIL_OUTBOX_SECRET", default=local_secret("mail-outbox.secret"))


def load_config(
    cls: type[C], service: str, environ: Mapping[str, str] | None = None, **overrides: Any
) -> C:
    """Build ``cls`` for ``service`` from ``environ`` (default: the process environment)."""
    env = os.environ if environ is None else environ
    local_dir = Path(overrides.pop("local_dir", None) or env.get("LOCAL_DIR") or ".local")
    values: dict[str, Any] = {"service": service, "local_dir": local_dir}
    production = (env.get("APP_ENV") or "").strip().lower() == PRODUCTION
    for f in fields(cls):
        if f.name in values or "env" not in f.metadata:
            continue
        # In production a missing secret stays missing (and is refused below): its local
        # default would generate one per pod.
        generate = not (production and f.name in cls.SECRETS)
        values[f.name] = _read(f.metadata, service, local_dir, env, use_default=generate)
    values.update(overrides)
    config = cls(**values)
    if production:
        check_production_safety(config)
    return config


def _read(
    meta: Mapping[str, Any], service: str, local_dir: Path, env: Mapping[str, str],
    *, use_default: bool = True,
) -> Any:
    for name in meta["env"]:
        raw = env.get(name.replace("{SERVICE}", service.upper()))
        if raw is not None and raw != "":
            try:
                return meta["parse"](raw)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
    default = meta["default"] if use_default else None
    return default(service, local_dir) if callable(default) else default
