"""The settings a production process refuses to start with.

The local defaults (SQLite, the filesystem bus, a mail sink without TLS, secrets generated
into LOCAL_DIR) make the platform run with no servers; in production each of them would be a
silent hazard: keys that differ per pod, data on a pod's disk, mail in clear text. With
``APP_ENV=production`` ``load_config`` checks them all and names every offending setting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any

PRODUCTION = "production"
# Written into example manifests where an operator must fill in a value of their own.
PLACEHOLDER_MARKERS = ("change-me", "changeme", "change_me")


class UnsafeProductionConfig(ValueError):
    """A production process was configured with local defaults or placeholders."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n  - ".join(problems)
        super().__init__(
            "APP_ENV=production refuses to start; fix these settings (docs/operations.md, "
            f"\"Configuration\"):\n  - {listed}"
        )


def is_placeholder(value: object) -> bool:
    if value is None:
        return True
    text = str(value).strip()
    return text == "" or any(marker in text.lower() for marker in PLACEHOLDER_MARKERS)


def env_name(config: Any, name: str) -> str:
    """The environment variables a field is read from, for messages: ``A/B`` (A wins)."""
    for f in fields(config):
        if f.name == name and f.metadata.get("env"):
            return "/".join(str(env).replace("{SERVICE}", config.service.upper())
                            for env in f.metadata["env"])
    return name.upper()


def production_problems(config: Any) -> list[str]:
    """What makes ``config`` unsafe to run in production (empty when it is safe)."""
    problems: list[str] = []
    secrets: Iterable[str] = getattr(config, "SECRETS", ())
    for name in secrets:
        value = getattr(config, name)
        if value is None or str(value).strip() == "":
            problems.append(f"{env_name(config, name)} is not set: production never generates "
                            "a secret or key (each pod would have its own); set it from the "
                            "secret store")
    for f in fields(config):
        value = getattr(config, f.name)
        if f.metadata.get("env") and isinstance(value, str) and value.strip() \
                and is_placeholder(value):
            problems.append(f"{env_name(config, f.name)} still holds a placeholder "
                            "(CHANGE-ME): put the real value in")
    if str(config.database_url).startswith("sqlite"):
        problems.append(f"{env_name(config, 'database_url')} is SQLite: set a PostgreSQL URL "
                        "(postgresql+psycopg://...)")
    if str(config.bus_url).startswith("filesystem:"):
        problems.append("BUS_URL is the local filesystem bus: set amqp://... (RabbitMQ)")
    smtp_url = getattr(config, "smtp_url", None)
    if smtp_url is not None and not str(smtp_url).startswith(("smtps://", "smtp+starttls://")):
        problems.append("SMTP_URL sends mail without TLS: use smtp+starttls://user:pass@host:587 "
                        "or smtps://user:pass@host:465")
    return problems


def check_production_safety(config: Any) -> None:
    """Raise ``UnsafeProductionConfig`` naming every unsafe setting of ``config``."""
    problems = production_problems(config)
    if problems:
        raise UnsafeProductionConfig(problems)
