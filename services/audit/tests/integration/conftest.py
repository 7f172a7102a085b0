"""An audit database on PostgreSQL or SQLite, migrated, and a way to feed it envelopes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from audit.app import create_app
from audit.bootstrap import chain_settings
from audit.service_layer.chain import ChainSettings
from audit.spec import SPEC
from servicekit.migrations import upgrade
from servicekit.runtime import Runtime

sys.path.insert(0, str(Path(__file__).parent))

from audit_harness import Feeder, bearer, token_verifier  # noqa: E402


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request, tmp_path) -> str:
    if request.param == "postgresql":
        return request.getfixturevalue("make_database")()
    return f"sqlite:///{tmp_path / 'audit.db'}"


@pytest.fixture
def audit(database_url, tmp_path) -> Iterator[Runtime]:
    config = SPEC.load_config(database_url=database_url, local_dir=tmp_path,
                              checkpoint_every=5, chain_partitions=4)
    upgrade(SPEC.migrations_dir, database_url)
    runtime = SPEC.runtime(config)
    yield runtime
    runtime.close()


@pytest.fixture
def settings(audit) -> ChainSettings:
    """The consumer's settings for this config: the key generated under LOCAL_DIR."""
    return chain_settings(audit.config)


@pytest.fixture
def feed(audit, settings) -> Feeder:
    return Feeder(audit, settings)




@pytest.fixture
def app_client(audit):
    """The audit API on this database, trusting tokens signed by the test's identity key."""
    app = create_app(audit.config, verifier=token_verifier())
    return app.test_client(), bearer
