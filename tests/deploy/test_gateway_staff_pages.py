"""The staff pages have one address, /app/, served by identity behind the gateway with the same
standards as the recipient pages: their CSP, limits on the credential forms, link tokens kept
out of the access log, and the gateway's own errors there as pages (docs/gateway.md)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).parent))
from test_gateway_harness import (  # noqa: E402
    echo_upstream,
    free_port,
    gateway_values,
    running_gateway,
)
from test_gateway_one_way_in import assert_api_error, assert_page_error, get, raw  # noqa: E402

TOKEN = "Hk2Lq9Zr4Wm7Xn1Pv8Ts3Uy6Bc5Df0Ga"
FORMS = ["/app/login", "/app/forgot-password", "/app/reset-password", "/app/accept-invitation",
         "/app/get-started"]


@pytest.fixture
def gateway(tmp_path) -> Iterator[str]:
    with echo_upstream() as alive:
        values = gateway_values(f"127.0.0.1:{free_port()}", alive, f"127.0.0.1:{free_port()}")
        with running_gateway(tmp_path, values) as url:
            yield url


@pytest.mark.parametrize("path", [*FORMS, "/app/home", "/app/static/app.css"])
def test_identity_sees_the_staff_page_at_its_own_address_with_the_pages_csp(gateway, path):
    response = requests.get(f"{gateway}{path}?token={TOKEN}", timeout=5)
    assert response.json()["path"] == f"{path}?token={TOKEN}"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("path", ["/api/identity/app/login", "/api/identity//app/home",
                                  "/api/identity/app"])
def test_the_staff_pages_do_not_answer_under_the_api_prefix(gateway, path):
    response = requests.get(f"{gateway}{path}", timeout=5)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", FORMS)
def test_each_credential_form_is_rate_limited_when_sent(gateway, path):
    with requests.Session() as session:
        for _ in range(15):
            assert session.get(f"{gateway}{path}", timeout=5).status_code == 200  # showing is free
        statuses = [session.post(f"{gateway}{path}", timeout=5).status_code for _ in range(12)]
    assert 429 in statuses
    status, headers, body = raw(gateway, f"POST {path} HTTP/1.1\r\nHost: clinic\r\n"
                                         "Content-Length: 0\r\nConnection: close\r\n\r\n".encode())
    assert status == 429
    assert_page_error(status, headers, body, "too_many_requests")
    assert b"/app/static/app.css" in body and b'href="/app/login"' in body


def test_link_tokens_never_reach_the_access_log(tmp_path):
    log = tmp_path / "access.log"

    def log_to_file(config: str) -> str:
        return config.replace("access_log /dev/stdout clinic_json;",
                              f"access_log {log} clinic_json;")

    with echo_upstream() as alive:
        values = gateway_values(f"127.0.0.1:{free_port()}", alive, f"127.0.0.1:{free_port()}")
        with running_gateway(tmp_path / "nginx", values, edit=log_to_file) as url:
            for path in FORMS:
                get(url, f"{path}?token={TOKEN}")
            get(url, f"/app//accept-invitation?token={TOKEN}")
    text = log.read_text()
    assert TOKEN not in text
    paths = [json.loads(line)["path"] for line in text.splitlines()]
    assert "/app/accept-invitation" in paths


@pytest.mark.parametrize(("request_bytes", "status", "code"), [
    (b"BREW /app/login HTTP/1.1\r\n", 405, "method_not_allowed"),
    (b"GET /app/\xc3\xa9 HTTP/1.1\r\n", 400, "bad_request"),
])
def test_the_gateways_own_errors_on_the_staff_pages_are_pages(gateway, request_bytes, status,
                                                              code):
    got, headers, body = raw(gateway, request_bytes + b"Host: clinic\r\nConnection: close\r\n\r\n")
    assert got == status
    assert_page_error(got, headers, body, code)
    assert b"/app/static/app.css" in body


def test_staff_pages_whose_service_is_down_are_a_page(tmp_path):
    with echo_upstream() as alive:
        down = f"127.0.0.1:{free_port()}"
        values = gateway_values(f"127.0.0.1:{free_port()}", alive, down, IDENTITY_UPSTREAM=down)
        with running_gateway(tmp_path, values) as url:
            page = get(url, f"/app/accept-invitation?token={TOKEN}")
            api = get(url, "/api/identity/me")
    assert page[0] == 502 and api[0] == 502
    assert_page_error(*page, "service_unavailable")
    assert_api_error(*api, "service_unavailable")
