"""The recipient pages have one address, /portal/, and every error is the platform's: JSON on
the API, an HTML page under /portal/, a service's own errors untouched (docs/gateway.md).
The real nginx on the rendered template, in front of the echo upstream or a real gunicorn."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
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

TOKEN = "Zq3v9Kx2bT7wLm4nP8rS1uY6aD5fH0jC"


@pytest.fixture
def gateway(tmp_path) -> Iterator[str]:
    """identity, notes and docportal answer; audit is down."""
    with echo_upstream() as alive:
        values = gateway_values(f"127.0.0.1:{free_port()}", alive, f"127.0.0.1:{free_port()}")
        with running_gateway(tmp_path, values) as url:
            yield url


def raw(url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` as bytes (what requests would refuse to send); status, headers, body."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


def get(url: str, path: str, *headers: bytes) -> tuple[int, dict[str, str], bytes]:
    extra = b"".join(h + b"\r\n" for h in headers)
    return raw(url, b"GET " + path.encode("latin-1") + b" HTTP/1.1\r\nHost: clinic\r\n"
               + extra + b"Connection: close\r\n\r\n")


def assert_api_error(status: int, headers: dict[str, str], body: bytes, code: str) -> None:
    assert headers["content-type"] == "application/json", body
    error = json.loads(body)["error"]
    assert error["code"] == code and error["message"]
    assert set(error["details"]) <= {"request_id"}


def assert_page_error(status: int, headers: dict[str, str], body: bytes, code: str) -> None:
    assert headers["content-type"].startswith("text/html"), body
    assert f'data-code="{code}"'.encode() in body
    assert "default-src 'self'" in headers["content-security-policy"]


# --- One way in -----------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/api/docportal/portal/login",
    "/api/docportal/portal/s/" + TOKEN,
    "/api/docportal//portal/forgot-password",
    "/api/docportal/%70ortal/reset-password",
    "/api/docportal/./portal/shared",
    "/api/docportal/portal",
    "/api/notes/plan/t/" + TOKEN,
    "/api/notes//plan/t/" + TOKEN,
    "/api/notes/plan",
])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_pages_do_not_answer_under_the_api_prefix(gateway, path, method):
    response = requests.request(method, f"{gateway}{path}", data={"email": "x"}, timeout=5)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"  # the gateway's, not docportal's


def test_the_rest_of_docportals_api_still_answers(gateway):
    seen = requests.get(f"{gateway}/api/docportal/shares/portal", timeout=5).json()
    assert seen["path"] == "/shares/portal"


@pytest.mark.parametrize(("sent", "seen"), [
    ("/portal//login", "/portal/login"),
    ("/%70ortal/login", "/portal/login"),
    ("/portal/./s/abc", "/portal/s/abc"),
    ("/portal/shared?x=1", "/portal/shared?x=1"),
])
def test_docportal_sees_the_page_the_gateway_matched(gateway, sent, seen):
    status, headers, body = get(gateway, sent)
    assert status == 200 and json.loads(body)["path"] == seen
    assert "default-src 'self'" in headers["content-security-policy"]


@pytest.mark.parametrize("spelling", ["/portal//login", "/%70ortal/login", "/portal/./login"])
def test_any_spelling_of_the_sign_in_page_counts_against_its_rate_limit(gateway, spelling):
    with requests.Session() as session:
        for _ in range(11):  # 1 + the burst of 10
            assert session.post(f"{gateway}/portal/login", timeout=5).status_code == 200
    status, headers, body = raw(gateway, f"POST {spelling} HTTP/1.1\r\nHost: clinic\r\n"
                                         "Content-Length: 0\r\nConnection: close\r\n\r\n".encode())
    assert status == 429
    assert_page_error(status, headers, body, "too_many_requests")


def test_no_spelling_of_a_link_puts_its_token_in_the_access_log(tmp_path):
    log = tmp_path / "access.log"

    def log_to_file(config: str) -> str:
        return config.replace("access_log /dev/stdout clinic_json;",
                              f"access_log {log} clinic_json;")

    with echo_upstream() as alive:
        values = gateway_values(f"127.0.0.1:{free_port()}", alive, f"127.0.0.1:{free_port()}")
        with running_gateway(tmp_path / "nginx", values, edit=log_to_file) as url:
            for path in (f"/portal//s/{TOKEN}", f"/portal/%73/{TOKEN}", f"/portal/./s/{TOKEN}",
                         f"//portal/s/{TOKEN}", f"/api/docportal/portal/s/{TOKEN}",
                         f"/portal/s/{TOKEN[:4]}%{TOKEN[4:]}", "/portal/login"):
                get(url, path)
    text = log.read_text()
    assert TOKEN not in text and TOKEN[4:] not in text
    paths = [json.loads(line)["path"] for line in text.splitlines()]
    assert "/api/docportal/portal/s/[redacted]" in paths and "/portal/login" in paths


# --- Every error in the platform's shape ----------------------------------------------------

@pytest.mark.parametrize(("request_bytes", "status", "code"), [
    (b"GET /nowhere HTTP/1.1\r\n", 404, "not_found"),
    (b"GET /api/audit/patients HTTP/1.1\r\n", 502, "service_unavailable"),
    (b"BREW /api/notes/patients HTTP/1.1\r\n", 405, "method_not_allowed"),
    (b"GET /api/notes/" + b"a" * 9000 + b" HTTP/1.1\r\n", 414, "uri_too_long"),
    (b"GET /api/notes/\xc3\xa9 HTTP/1.1\r\n", 400, "bad_request"),
    (b"GET /api/notes/x HTTP/1.1\r\nX-Big: " + b"a" * 9000 + b"\r\n", 431,
     "request_header_too_large"),
    (b"POST /api/notes/x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n", 501, "not_implemented"),
    (b"GET /api/notes/a b HTTP/1.1\r\n", 400, "bad_request"),  # no URI nginx could read
    (b"GET /api/notes/x HTTP/2.7\r\n", 505, "http_version_not_supported"),
])
def test_the_gateways_own_errors_on_the_api_are_json(gateway, request_bytes, status, code):
    got, headers, body = raw(gateway, request_bytes + b"Host: clinic\r\nConnection: close\r\n\r\n")
    assert got == status
    assert_api_error(got, headers, body, code)


@pytest.mark.parametrize(("request_bytes", "status", "code"), [
    (b"BREW /portal/login HTTP/1.1\r\n", 405, "method_not_allowed"),
    (b"GET /portal/\xc3\xa9 HTTP/1.1\r\n", 400, "bad_request"),
    (b"GET /%70ortal/\xc3\xa9 HTTP/1.1\r\n", 400, "bad_request"),
])
def test_the_gateways_own_errors_on_the_portal_are_pages(gateway, request_bytes, status, code):
    got, headers, body = raw(gateway, request_bytes + b"Host: clinic\r\nConnection: close\r\n\r\n")
    assert got == status
    assert_page_error(got, headers, body, code)


@pytest.mark.parametrize(("path", "page"), [("/api/notes/x", False), ("/portal/login", True)])
def test_a_body_too_large_is_refused_in_the_shape_of_its_path(gateway, path, page):
    response = requests.post(f"{gateway}{path}", data=b"x" * 2_000_000, timeout=10)
    assert response.status_code == 413
    parts = (413, {k.lower(): v for k, v in response.headers.items()}, response.content)
    (assert_page_error if page else assert_api_error)(*parts, "payload_too_large")


def test_the_portals_bare_address_leads_to_its_pages(gateway):
    response = requests.get(f"{gateway}/portal", allow_redirects=False, timeout=5)
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/portal/")


def test_a_portal_whose_service_is_down_is_a_page(tmp_path):
    with echo_upstream() as alive:
        down = f"127.0.0.1:{free_port()}"
        values = gateway_values(f"127.0.0.1:{free_port()}", alive, down, DOCPORTAL_UPSTREAM=down)
        with running_gateway(tmp_path, values) as url:
            page = get(url, "/portal/shared")
            api = get(url, "/api/docportal/shares")
    assert page[0] == 502 and api[0] == 502
    assert_page_error(*page, "service_unavailable")
    assert_api_error(*api, "service_unavailable")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 410, 413, 422, 429, 500, 503])
def test_a_services_own_errors_pass_through_untouched(gateway, status):
    api = requests.get(f"{gateway}/api/notes/answer-{status}", timeout=5)
    assert api.status_code == status and api.json()["path"] == f"/answer-{status}"
    page = requests.get(f"{gateway}/portal/answer-{status}", timeout=5)
    assert page.status_code == status and 'data-code="from_the_portal"' in page.text


# --- gunicorn behind the gateway --------------------------------------------------------------

APP = '''
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "16")])
    return [b'{"served": true}']
'''

GUNICORN_CONF = '''
from servicekit.gunicorn_defaults import *  # noqa: F403
wsgi_app = "json_app:app"
bind = ["{bind}"]
workers = 1
'''


@pytest.fixture
def gunicorn_upstream(tmp_path) -> Iterator[str]:
    """A real gunicorn with the services' shared settings, serving a JSON app."""
    bind = f"127.0.0.1:{free_port()}"
    (tmp_path / "json_app.py").write_text(APP)
    (tmp_path / "gunicorn.conf.py").write_text(GUNICORN_CONF.replace("{bind}", bind))
    gunicorn = Path(sys.executable).parent / "gunicorn"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    process = subprocess.Popen([str(gunicorn), "-c", str(tmp_path / "gunicorn.conf.py"),
                                "--chdir", str(tmp_path)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(tuple(bind.split(":")), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
        time.sleep(0.5)  # the worker installs its error writer after it boots
        yield bind
    finally:
        process.terminate()
        process.wait(timeout=10)


HEADERS_GUNICORN_WOULD_REFUSE_BY_DEFAULT = [
    (b"GET /api/notes/" + b"a" * 6000 + b" HTTP/1.1\r\n", b""),  # its 4094-byte request line
    (b"GET /api/notes/x HTTP/1.1\r\n", b"".join(b"X-%d: 1\r\n" % i for i in range(150))),
    (b"GET /api/notes/x HTTP/1.1\r\n", b"X-Forwarded-For: " + b"1" * 8150 + b"\r\n"),
]


@pytest.mark.parametrize(("line", "headers"), HEADERS_GUNICORN_WOULD_REFUSE_BY_DEFAULT)
def test_what_the_gateway_lets_through_gunicorn_serves(tmp_path, gunicorn_upstream, line,
                                                       headers):
    values = gateway_values(f"127.0.0.1:{free_port()}", gunicorn_upstream, gunicorn_upstream)
    with running_gateway(tmp_path / "nginx", values) as url:
        status, _, body = raw(url, line + b"Host: clinic\r\n" + headers
                              + b"Connection: close\r\n\r\n")
    assert (status, json.loads(body)) == (200, {"served": True})


@pytest.mark.parametrize("line", [b"AB /api/notes/x HTTP/1.1\r\n",
                                  b"GET /api/notes/\xff HTTP/1.1\r\n"])
def test_what_gunicorn_would_refuse_the_gateway_refuses_in_json(tmp_path, gunicorn_upstream,
                                                                line):
    values = gateway_values(f"127.0.0.1:{free_port()}", gunicorn_upstream, gunicorn_upstream)
    with running_gateway(tmp_path / "nginx", values) as url:
        status, headers, body = raw(url, line + b"Host: clinic\r\nConnection: close\r\n\r\n")
    assert status in (400, 405)
    assert_api_error(status, headers, body, "bad_request" if status == 400 else
                     "method_not_allowed")


def test_gunicorns_own_refusals_are_json(gunicorn_upstream):
    """A header value nginx passes but gunicorn will not read (a control character)."""
    status, headers, body = raw(f"http://{gunicorn_upstream}",
                                b"GET /x HTTP/1.1\r\nHost: clinic\r\nX-A: a\x01b\r\n\r\n")
    assert status == 400
    assert_api_error(status, headers, body, "bad_request")
