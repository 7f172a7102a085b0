"""Each service's Alembic migrations build exactly the schema its code declares."""

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from servicekit.db import make_engine
from servicekit.migrations import upgrade

pytestmark = pytest.mark.integration

SERVICES = ["identity", "notes", "docportal", "audit"]


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request, tmp_path):
    if request.param == "postgresql":
        return request.getfixturevalue("make_database")()
    return f"sqlite:///{tmp_path / 'migrations.db'}"


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_match_the_declared_tables(service, database_url):
    spec = importlib.import_module(f"{service}.spec").SPEC
    metadata = importlib.import_module(f"{service}.adapters.tables").metadata
    upgrade(spec.migrations_dir, database_url)
    upgrade(spec.migrations_dir, database_url)  # running again is harmless
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    assert diff == []
