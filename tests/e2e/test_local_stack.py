"""Smoke test of `make run`'s local default: the whole stack, through the gateway.

The stack comes from conftest.py; these check every service through the gateway and run the
first flow (identity create-practice -> audit events).
"""

import json
import subprocess

import boto3
import pytest
import requests
from e2e_stack import GATEWAY, REPO, SERVICES

from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.e2e

@pytest.mark.parametrize("service", SERVICES)
def test_every_service_is_healthy_ready_and_documented_through_the_gateway(stack, service):
    base = f"{GATEWAY}/api/{service}"
    assert requests.get(f"{base}/healthz", timeout=5).json() == {"status": "ok"}
    ready = requests.get(f"{base}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    # An API's readiness is its own database only: a broker or store outage keeps it serving.
    assert ready.json()["checks"] == {"database": "ok"}
    assert requests.get(f"{base}/openapi.json", timeout=5).json()["info"]["title"] == service
    assert requests.get(f"{base}/metrics", timeout=5).status_code == 404  # not outside
    port = {"identity": 8001, "notes": 8002, "docportal": 8003, "audit": 8004}[service]
    metrics = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    assert "http_requests_total" in metrics


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
