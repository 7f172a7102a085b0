import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import make_config, make_runtime  # noqa: E402


@pytest.fixture(params=["rabbitmq+postgres", "filesystem+sqlite"])
def backend(request, tmp_path):
    """Builds runtimes on one backend: the real servers, or the embedded local default."""
    if request.param == "rabbitmq+postgres":
        db_url = request.getfixturevalue("make_database")()
        bus_url = request.getfixturevalue("amqp_url")
    else:
        db_url = f"sqlite:///{tmp_path / 'kit.db'}"
        bus_url = "filesystem://"
    made = []

    def build(**overrides):
        runtime = make_runtime(make_config(tmp_path, db_url, bus_url, **overrides))
        made.append(runtime)
        return runtime

    build.kind = request.param
    yield build
    for runtime in made:
        runtime.close()


@pytest.fixture
def queue_name():
    return f"kit.test-{uuid.uuid4().hex[:8]}"
