"""`--real` creates the service databases it needs on this machine's PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

psycopg = pytest.importorskip("psycopg")
from real_servers import check_reachable, ensure_databases  # noqa: E402

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


@pytest.mark.integration
def test_a_missing_database_is_created_once_and_then_left_alone():
    name = f"clinic_launcher_{uuid.uuid4().hex[:12]}"
    url = f"{SERVER}/{name}"
    try:
        assert ensure_databases([url]) == [name]
        assert ensure_databases([url]) == []
    finally:
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_sqlite_urls_need_no_database_server():
    assert ensure_databases(["sqlite:///.local/notes.db"]) == []


def test_an_unreachable_broker_is_reported_in_plain_words():
    with pytest.raises(ConnectionError, match="nothing answers at 127.0.0.1:1"):
        check_reachable("amqp://guest:guest@127.0.0.1:1//", timeout=1)
