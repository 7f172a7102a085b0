"""Each service's app in-process on SQLite and on this machine's PostgreSQL."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import security_apps  # noqa: E402


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "postgresql":
        return request.getfixturevalue("make_database")()
    return f"sqlite:///{tmp_path / 'service.db'}"


@pytest.fixture
def pg_only_url(make_database) -> str:
    return make_database()


@pytest.fixture
def notes(database_url, tmp_path):
    app = security_apps.notes_app(database_url, tmp_path / "notes")
    yield app
    security_apps.close(app)


@pytest.fixture
def served_notes(tmp_path):
    """Notes on SQLite answering HTTP, for docportal's attach-a-note's-PDF calls."""
    app = security_apps.notes_app(f"sqlite:///{tmp_path / 'notes.db'}", tmp_path / "notes")
    served = security_apps.Served(app)
    yield served
    served.close()
    security_apps.close(app)


@pytest.fixture
def docportal(database_url, tmp_path, seaweedfs, mail_sink, served_notes):
    app = security_apps.docportal_app(database_url, tmp_path / "docportal", seaweedfs,
                                      mail_sink.url, served_notes.url)
    yield app
    security_apps.close(app)


@pytest.fixture
def audit(database_url, tmp_path):
    app = security_apps.audit_app(database_url, tmp_path / "audit")
    yield app
    security_apps.close(app)


@pytest.fixture
def identity(database_url, tmp_path):
    app = security_apps.identity_app(database_url, tmp_path / "identity")
    yield app
    security_apps.close(app)
