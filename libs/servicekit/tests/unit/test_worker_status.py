"""A worker's probes: /healthz while it runs, /readyz only while what it needs answers."""

import json
import urllib.error
import urllib.request

import pytest

from servicekit.worker_status import serve_worker_status
from servicekit_testing.servers import free_port


def get(port: int, path: str) -> tuple[int, dict | str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            body = answer.read().decode()
            status = answer.status
    except urllib.error.HTTPError as refused:
        body, status = refused.read().decode(), refused.code
    return status, (json.loads(body) if body.startswith("{") else body)


@pytest.fixture
def serve():
    servers = []

    def start(checks):
        port = free_port()
        servers.append(serve_worker_status(port, checks, host="127.0.0.1"))
        return port

    yield start
    for server in servers:
        server.shutdown()


def test_a_worker_whose_broker_is_down_is_alive_but_not_ready(serve):
    def broker_down() -> None:
        raise ConnectionRefusedError("no broker")

    port = serve({"database": lambda: None, "bus": broker_down})
    assert get(port, "/healthz") == (200, {"status": "ok"})
    assert get(port, "/readyz") == (503, {
        "status": "not_ready",
        "checks": {"database": "ok", "bus": "failed: ConnectionRefusedError"}})


def test_a_worker_serves_its_metrics_and_nothing_else(serve):
    port = serve({})
    status, text = get(port, "/metrics")
    assert status == 200 and "python_info" in text
    assert get(port, "/other")[0] == 404
