"""The real nginx throttles the credential routes, sets the security headers and keeps upstreams
ready for replicas (docs/gateway.md)."""

from __future__ import annotations

import functools
import re
import socketserver
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from gateway_config import TEMPLATE

sys.path.insert(0, str(Path(__file__).parent))
from test_gateway_harness import (  # noqa: E402
    echo_upstream,
    free_port,
    gateway_values,
    running_gateway,
)

#: More requests than any burst below, sent back to back: the burst is spent well before the
#: rate (at most one a second) can refill it.
ENOUGH = 60


@pytest.fixture
def gateway(tmp_path) -> Iterator[str]:
    """identity, notes and docportal answer; audit is down."""
    with echo_upstream() as alive:
        values = gateway_values(f"127.0.0.1:{free_port()}", alive, f"127.0.0.1:{free_port()}")
        with running_gateway(tmp_path, values) as url:
            yield url


def served_before_refusal(url: str, method: str = "POST") -> tuple[int, requests.Response]:
    """Send requests until the gateway refuses one; how many got through and the refusal."""
    with requests.Session() as session:
        for served in range(ENOUGH):
            response = session.request(method, url, json={}, timeout=5)
            if response.status_code == 429:
                return served, response
            assert response.status_code == 200, response.text
    pytest.fail(f"{url} was never refused in {ENOUGH} requests")


def test_sign_in_is_refused_with_a_json_429_and_retry_after_once_its_burst_is_spent(gateway):
    served, refused = served_before_refusal(f"{gateway}/api/identity/login")
    assert served in (11, 12)  # 1 + burst 10; one more if the 3 s refill landed meanwhile
    assert refused.headers["Content-Type"] == "application/json"
    assert refused.headers["Retry-After"] == "60"
    error = refused.json()["error"]
    assert error["code"] == "too_many_requests"
    assert "try again in a minute" in error["message"]
    assert error["details"] == {"request_id": refused.headers["X-Request-ID"]}


def test_the_rest_of_the_api_is_not_throttled_while_sign_in_is(gateway):
    served_before_refusal(f"{gateway}/api/identity/login")
    with requests.Session() as session:
        for path in ["/api/notes/healthz"] * ENOUGH + ["/api/identity/healthz"] * 5:
            response = session.get(f"{gateway}{path}", timeout=5)
            assert response.status_code == 200, path
            assert "Retry-After" not in response.headers


@pytest.mark.parametrize(
    ("path", "method", "burst"),
    [
        ("/api/identity/token/refresh", "POST", 30),
        ("/api/identity/password/set", "POST", 5),
        ("/api/identity/password/reset", "POST", 5),
        ("/api/identity/recipients/register", "POST", 5),
        ("/api/identity/password/forgot", "POST", 5),
        ("/api/identity/invitations/accept", "POST", 5),
        ("/portal/login", "POST", 10),
        ("/portal/forgot-password", "POST", 5),
        ("/portal/reset-password", "POST", 5),
        ("/portal/s/a-share-token", "GET", 20),
        ("/plan/t/a-plan-token", "GET", 20),
    ],
)
def test_each_credential_route_and_share_link_opening_has_its_own_burst(
    gateway, path, method, burst
):
    served, refused = served_before_refusal(f"{gateway}{path}", method)
    assert burst + 1 <= served <= burst + 2
    if path.startswith(("/portal/", "/plan/")):  # a page: the refusal is a page too
        assert refused.headers["Content-Type"].startswith("text/html")
        assert 'data-code="too_many_requests"' in refused.text
    else:
        assert refused.json()["error"]["code"] == "too_many_requests"


def test_showing_a_portal_form_is_not_throttled(gateway):
    served_before_refusal(f"{gateway}/portal/login", "POST")
    with requests.Session() as session:
        for _ in range(ENOUGH):
            assert session.get(f"{gateway}/portal/login", timeout=5).status_code == 200


def test_the_audit_stream_reaches_the_service_at_its_own_path(tmp_path):
    with echo_upstream() as alive:
        values = {**gateway_values(f"127.0.0.1:{free_port()}", alive, alive)}
        with running_gateway(tmp_path, values) as url:
            seen = requests.get(f"{url}/api/audit/stream?after=5", timeout=5).json()
    assert seen["path"] == "/stream?after=5"


@pytest.mark.parametrize("path", ["/api/notes/metrics", "/api/identity//metrics"])
def test_metrics_are_not_served_to_the_outside(gateway, path):
    response = requests.get(f"{gateway}{path}", timeout=5)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_throttled_route_reaches_the_service_at_its_own_path(gateway):
    seen = requests.post(f"{gateway}/api/identity//password/set?x=1", json={}, timeout=5).json()
    assert seen["path"] == "/password/set?x=1"
    served, _ = served_before_refusal(f"{gateway}/api/identity//password/set")
    assert served <= 5  # the doubled slash counted against the same zone


def test_a_services_own_429_keeps_its_retry_after_alone(gateway):
    response = requests.get(f"{gateway}/api/identity/answer-429", timeout=5)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/healthz", 200),  # the gateway's own answer
        ("/api/identity/healthz", 200),  # a service's answer
        ("/nowhere", 404),  # the gateway's error page
        ("/api/audit/healthz", 502),  # a service that is down
    ],
)
def test_every_response_carries_the_security_headers(gateway, path, status):
    response = requests.get(f"{gateway}{path}", timeout=5)
    assert response.status_code == status
    headers = response.headers
    # requests joins repeated headers with ", ": an exact value proves there is one copy.
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in headers  # plain HTTP
    assert "Content-Security-Policy" not in headers  # JSON APIs: the portal has its own


def test_a_refusal_carries_the_security_headers_too(gateway):
    _, refused = served_before_refusal(f"{gateway}/api/identity/login")
    assert refused.headers["X-Content-Type-Options"] == "nosniff"
    assert refused.headers["X-Frame-Options"] == "DENY"


def csp(response: requests.Response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


@pytest.mark.parametrize("path", ["/portal/s/a-share-token", "/portal/shares/abc", "/portal/x",
                                  "/plan/t/a-plan-token", "/plan/x"])
def test_portal_pages_get_a_strict_content_security_policy(gateway, path):
    response = requests.get(f"{gateway}{path}", timeout=5)
    assert csp(response) == {
        "default-src": "'self'",
        "frame-src": "'self'",
        "frame-ancestors": "'none'",
        "object-src": "'none'",
        "form-action": "'self'",
        "base-uri": "'none'",
    }
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_portal_pdf_may_be_framed_by_the_portal_itself_and_nowhere_else(gateway):
    response = requests.get(f"{gateway}/portal/s/a-share-token/documents/d1.pdf", timeout=5)
    assert response.headers["Content-Type"] == "application/pdf"
    policy = csp(response)
    assert policy["frame-ancestors"] == "'self'"
    assert policy["default-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    # Outside the portal a PDF is an API download: framed by nobody.
    api = requests.get(f"{gateway}/api/docportal/documents/d1.pdf", timeout=5)
    assert api.headers["X-Frame-Options"] == "DENY"


class _HangUp(socketserver.BaseRequestHandler):
    """A broken replica: takes the request, then closes the connection without an answer."""

    def handle(self) -> None:
        self.server.requests += 1  # type: ignore[attr-defined]
        self.request.recv(65536)


def add_replica(conf: str, after: str, add: str) -> str:
    """A second `server` line with the same parameters as the one for ``after``."""
    line = re.search(rf"\n(\s*)server {re.escape(after)} ([^;]*);", conf)
    assert line is not None, after
    indent, parameters = line.groups()
    return conf.replace(line.group(0), f"{line.group(0)}\n{indent}server {add} {parameters};")


@pytest.fixture
def two_notes_replicas(tmp_path) -> Iterator[tuple[str, socketserver.TCPServer]]:
    """The gateway with notes on two replicas, as a scaled compose service resolves: a broken
    one first, then a healthy one."""
    broken = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _HangUp)
    broken.requests = 0  # type: ignore[attr-defined]
    threading.Thread(target=broken.serve_forever, daemon=True).start()
    try:
        with echo_upstream() as alive:
            values = gateway_values(
                f"127.0.0.1:{free_port()}",
                alive,
                f"127.0.0.1:{free_port()}",
                NOTES_UPSTREAM=f"127.0.0.1:{broken.server_address[1]}",
            )

            healthy_too = functools.partial(add_replica, after=values["NOTES_UPSTREAM"], add=alive)
            with running_gateway(tmp_path, values, healthy_too) as url:
                yield url, broken
    finally:
        broken.shutdown()
        broken.server_close()


def test_a_post_that_reached_a_broken_replica_is_not_sent_again(two_notes_replicas):
    url, broken = two_notes_replicas
    statuses = [
        requests.post(f"{url}/api/notes/notes", json={}, timeout=5).status_code for _ in range(2)
    ]
    assert broken.requests == 1
    assert sorted(statuses) == [200, 502]


def test_a_get_moves_on_to_a_healthy_replica_which_then_takes_all_the_traffic(two_notes_replicas):
    url, broken = two_notes_replicas
    with requests.Session() as session:
        statuses = [
            session.get(f"{url}/api/notes/healthz", timeout=5).status_code for _ in range(20)
        ]
    assert statuses == [200] * 20
    # max_fails=3: after its third failure the broken replica is left alone for fail_timeout.
    assert broken.requests == 3


def test_every_upstream_marks_a_failing_replica_down_for_a_while():
    servers = re.findall(r"^\s*server\s+\$\{\w+_UPSTREAM\}([^;]*);", TEMPLATE.read_text(), re.M)
    assert len(servers) == 4
    for parameters in servers:
        assert "max_fails=3" in parameters and "fail_timeout=10s" in parameters


def test_only_unanswered_requests_move_to_another_replica():
    directives = re.findall(r"^\s*proxy_next_upstream\s+([^;]*);", TEMPLATE.read_text(), re.M)
    assert directives == ["error timeout"]


def test_a_handed_over_download_is_fetched_from_the_store_without_the_callers_credentials(
    gateway,
):
    response = requests.get(f"{gateway}/api/docportal/documents/d1/hand-over", timeout=5,
                            headers={"Authorization": "Bearer secret", "Cookie": "s=1"})
    assert response.status_code == 200
    seen = response.json()  # what the store (the echo server here) received
    assert seen["path"] == "/clinic-documents/org/doc?X-Amz-Signature=abc"
    headers = {name.lower(): value for name, value in seen["headers"].items()}
    assert "authorization" not in headers and "cookie" not in headers
    # The store's own host (what the URL was signed for), not the client's.
    assert headers["host"] != gateway.removeprefix("http://")
    assert re.fullmatch(r"127\.0\.0\.1:\d+", headers["host"])
    assert response.headers["Content-Disposition"] == 'attachment; filename="note.pdf"'
    assert "X-Accel-Redirect" not in response.headers


def test_the_document_store_location_is_internal(gateway):
    response = requests.get(f"{gateway}/_document_store/clinic-documents/org/doc", timeout=5)
    assert response.status_code == 404
