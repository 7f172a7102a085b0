"""The whole local stack (`make run`'s default), started once for every end-to-end test.

Starts the launcher (SQLite, filesystem bus, SeaweedFS, nginx, mail sink, four APIs, relays,
consumers) in a fresh LOCAL_DIR and stops it with Ctrl-C at the end of the session.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "deploy" / "local"))
from e2e_stack import (  # noqa: E402
    GATEWAY,
    PORTS,
    REAL_SERVER_VARIABLES,
    SERVICES,
    Stack,
    answers,
    port_in_use,
)
from stack_process import start_stack, stop_stack  # noqa: E402

from servicekit_testing.fixtures import AMQP_BASE_URL, rabbitmqctl, wait_for  # noqa: E402


@pytest.fixture(scope="session", params=["local", "postgresql+rabbitmq"])
def stack(request, tmp_path_factory):
    """The whole platform, once on `make run`'s local default (SQLite, the filesystem bus) and
    once on this machine's PostgreSQL and RabbitMQ (fresh databases and a fresh vhost)."""
    busy = [p for p in PORTS if port_in_use(p)]
    if busy:
        pytest.fail(f"ports {busy} are taken: stop the running stack (make run) first")
    local_dir = tmp_path_factory.mktemp("stack")
    env = {k: v for k, v in os.environ.items() if k not in REAL_SERVER_VARIABLES}
    env |= {"LOCAL_DIR": str(local_dir), "WEB_CONCURRENCY": "1",
            # A stream the fuzzer opens must end well before its request timeout.
            "AUDIT_STREAM_MAX_SECONDS": "2", "SEED_DEMO": "0"}
    vhost = None
    if request.param == "postgresql+rabbitmq":
        make_database = request.getfixturevalue("make_database")
        # A vhost of its own: the session's is shared with tests that declare the same queue
        # names without quorum arguments.
        vhost = f"e2e-{uuid.uuid4().hex[:12]}"
        rabbitmqctl("add_vhost", vhost)
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        env["BUS_URL"] = f"{AMQP_BASE_URL}/{vhost}"
        env["BUS_QUORUM_QUEUES"] = "1"
        env |= {f"{s.upper()}_DATABASE_URL": make_database() for s in SERVICES}
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    proc = start_stack(env, local_dir)
    try:
        wait_for(lambda: proc.poll() is not None or all(
            answers(f"{GATEWAY}/api/{s}/healthz") for s in SERVICES), timeout=180, interval=0.5)
        if proc.poll() is not None:
            pytest.fail("the stack exited:\n" + (local_dir / "stack.log").read_text()[-5000:])
        yield env, local_dir
    finally:
        stop_stack(proc)
        if vhost is not None:
            rabbitmqctl("delete_vhost", vhost)


@pytest.fixture(scope="session")
def platform(stack) -> Stack:
    env, local_dir = stack
    return Stack(env, local_dir)
