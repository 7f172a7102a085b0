"""Smoke test of `make run`'s local default: the whole stack, through the gateway.

Starts the launcher (SQLite, filesystem bus, SeaweedFS, nginx, mail sink, four APIs, relays,
the audit consumer) in a fresh LOCAL_DIR, checks every service through the gateway, runs the
first flow (identity create-practice -> audit events), then stops it with Ctrl-C.
"""

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
import requests

from servicekit.testing import wait_for

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
GATEWAY = "http://127.0.0.1:8080"
SERVICES = ("identity", "notes", "docportal", "audit")
PORTS = (8080, 8001, 8002, 8003, 8004, 8333, 1025)
# The local default must not pick up real servers from the caller's environment.
REAL_SERVER_VARIABLES = ("BUS_URL", "DATABASE_URL", "S3_ENDPOINT_URL", "SMTP_URL") + tuple(
    f"{s.upper()}_DATABASE_URL" for s in SERVICES
)


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    busy = [p for p in PORTS if port_in_use(p)]
    if busy:
        pytest.fail(f"ports {busy} are taken: stop the running stack (make run) first")
    local_dir = tmp_path_factory.mktemp("stack")
    env = {k: v for k, v in os.environ.items() if k not in REAL_SERVER_VARIABLES}
    env |= {"LOCAL_DIR": str(local_dir), "WEB_CONCURRENCY": "1"}
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    log = open(local_dir / "stack.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [sys.executable, "deploy/local/launch.py"], cwd=REPO, env=env, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        wait_for(lambda: proc.poll() is not None or all(
            answers(f"{GATEWAY}/api/{s}/healthz") for s in SERVICES), timeout=180, interval=0.5)
        if proc.poll() is not None:
            pytest.fail("the stack exited:\n" + (local_dir / "stack.log").read_text()[-5000:])
        yield env, local_dir
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_is_healthy_ready_and_documented_through_the_gateway(stack, service):
    base = f"{GATEWAY}/api/{service}"
    assert requests.get(f"{base}/healthz", timeout=5).json() == {"status": "ok"}
    ready = requests.get(f"{base}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["bus"] == "ok"
    assert requests.get(f"{base}/openapi.json", timeout=5).json()["info"]["title"] == service
    assert "http_requests_total" in requests.get(f"{base}/metrics", timeout=5).text


def test_request_id_passes_through_the_gateway(stack):
    response = requests.get(f"{GATEWAY}/api/notes/healthz",
                            headers={"X-Request-ID": "smoke-123"}, timeout=5)
    assert response.headers["X-Request-ID"] == "smoke-123"


def test_unknown_routes_get_json_errors(stack):
    for url in (f"{GATEWAY}/nowhere", f"{GATEWAY}/api/audit/nowhere"):
        response = requests.get(url, timeout=5)
        assert response.status_code == 404
        assert response.json()["error"]["code"]


def test_a_created_practice_reaches_audit_events(stack):
    env, _ = stack
    run = lambda *args: subprocess.run(  # noqa: E731
        list(args), cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    created = run("identity", "create-practice", "--name", "Smoke PT",
                  "--owner-email", "owner@smoke.example")
    practice_id = created.split()[1]

    def stored() -> list[dict]:
        lines = run("audit", "events", "--tail", "100").splitlines()
        events = [json.loads(line) for line in lines if line.startswith("{")]
        return [e for e in events if e["org_id"] == practice_id]

    events = wait_for(lambda: len(stored()) == 2 and stored(), timeout=30)
    assert sorted(e["type"] for e in events) == ["identity.practice.created",
                                                 "identity.user.created"]


def test_the_local_s3_server_has_the_documents_bucket(stack):
    env, _ = stack
    s3 = boto3.client(
        "s3", endpoint_url="http://127.0.0.1:8333", region_name="us-east-1",
        aws_access_key_id=env.get("S3_ACCESS_KEY", "clinic-local"),
        aws_secret_access_key=env.get("S3_SECRET_KEY", "clinic-local-secret"),
    )
    s3.put_object(Bucket="clinic-documents", Key="smoke/hello.txt", Body=b"hello")
    stored = s3.get_object(Bucket="clinic-documents", Key="smoke/hello.txt")["Body"].read()
    assert stored == b"hello"
