"""`--real`: make sure this machine's PostgreSQL has the databases and RabbitMQ answers."""

from __future__ import annotations

import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


def ensure_database(url: str) -> bool:
    """Create the database named in a PostgreSQL ``url`` unless it exists; True if created."""
    parts = make_url(url)
    # Any database the user may connect to will do for CREATE DATABASE; "postgres" always exists.
    with psycopg.connect(
        host=parts.host,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parts.database,)
        ).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parts.database)))
        return True


def ensure_databases(urls: Iterable[str]) -> list[str]:
    """Create each missing PostgreSQL database; other URLs (sqlite) are left alone."""
    created = []
    for url in urls:
        if not url.startswith("postgresql"):
            continue
        try:
            if ensure_database(url):
                created.append(make_url(url).database)
        except psycopg.OperationalError as err:
            where = make_url(url).render_as_string(hide_password=True)
            raise ConnectionError(f"cannot reach PostgreSQL for {where}: {err}") from None
    return created


def check_reachable(url: str, timeout: float = 3.0) -> None:
    """Raise ConnectionError with a plain message when nothing listens at ``url``'s host:port."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5672
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as err:
        raise ConnectionError(f"nothing answers at {host}:{port} ({err.strerror or err})") from None
