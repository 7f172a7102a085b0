"""Throwaway databases and a throwaway RabbitMQ vhost, so a benchmark touches nobody's data.

Every run creates ``bench_<random>_identity`` / ``bench_<random>_audit`` and the vhost
``bench_<random>``, migrates the databases with the services' own migrations, and drops all of
it on the way out, also when the run fails.
"""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import create_engine, text

from audit.spec import SPEC as AUDIT
from identity.spec import SPEC as IDENTITY
from servicekit.migrations import upgrade


@dataclass(frozen=True)
class Sandbox:
    name: str
    identity_db: str
    audit_db: str
    bus_url: str


def _admin(postgres_url: str, statement: str) -> None:
    # CREATE/DROP DATABASE cannot run inside a transaction block.
    engine = create_engine(f"{postgres_url}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@contextmanager
def sandbox(postgres_url: str, amqp_url: str) -> Iterator[Sandbox]:
    """Create, migrate, yield, and always drop the databases and the vhost."""
    name = f"bench_{secrets.token_hex(4)}"
    box = Sandbox(
        name=name,
        identity_db=f"{postgres_url}/{name}_identity",
        audit_db=f"{postgres_url}/{name}_audit",
        bus_url=f"{amqp_url.rstrip('/')}/{name}",
    )
    created: list[str] = []
    vhost = False
    try:
        for db in (f"{name}_identity", f"{name}_audit"):
            _admin(postgres_url, f'CREATE DATABASE "{db}"')
            created.append(db)
        upgrade(IDENTITY.migrations_dir, box.identity_db)
        upgrade(AUDIT.migrations_dir, box.audit_db)
        _rabbitmqctl("add_vhost", name)
        vhost = True
        user = urlsplit(amqp_url).username or "guest"
        _rabbitmqctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
        yield box
    finally:
        if vhost:
            _rabbitmqctl("delete_vhost", name)
        for db in created:
            # FORCE ends any session a crashed child process left behind.
            _admin(postgres_url, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
