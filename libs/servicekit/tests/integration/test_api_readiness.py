"""An API's readiness is its own database only: with the broker gone it stays ready and its
writes wait in the outbox (ARCHITECTURE.md, "Errors and HTTP")."""

from pathlib import Path

import pytest
from flask_smorest import Blueprint

from harness import make_config, messaging, metadata
from servicekit.config import ServiceConfig
from servicekit.service import ServiceSpec, build_app

pytestmark = pytest.mark.integration

NO_BROKER = "amqp://guest:guest@127.0.0.1:1//"  # nothing listens on port 1


def test_an_api_without_a_broker_is_ready_as_long_as_its_database_answers(tmp_path):
    spec = ServiceSpec(name="kit", config_class=ServiceConfig, messaging=messaging,
                       migrations_dir=Path("."))
    config = make_config(tmp_path, f"sqlite:///{tmp_path / 'kit.db'}", NO_BROKER)
    app = build_app(spec, config, [Blueprint("kit", __name__)])
    metadata.create_all(app.extensions["servicekit.runtime"].engine)

    ready = app.test_client().get("/readyz")

    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ready", "checks": {"database": "ok"}}
