"""A docportal app on a real database (SQLite and PostgreSQL), real SeaweedFS and SMTP."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from docportal_harness import Practice, bearer, make_app, make_config  # noqa: E402


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "postgresql":
        return request.getfixturevalue("make_database")()
    return f"sqlite:///{tmp_path / 'docportal.db'}"


@pytest.fixture
def smtp_url(mail_sink) -> str:
    return mail_sink.url


@pytest.fixture
def app(database_url, tmp_path, seaweedfs, smtp_url) -> Iterator:
    app = make_app(make_config(database_url, tmp_path, seaweedfs, smtp_url))
    yield app
    app.extensions["servicekit.runtime"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def _practice() -> Practice:
    org_id = str(uuid.uuid4())
    return Practice(org_id, f"patient-{uuid.uuid4().hex[:8]}", bearer(org_id))


@pytest.fixture
def practice() -> Practice:
    return _practice()


@pytest.fixture
def other_practice() -> Practice:
    return _practice()
