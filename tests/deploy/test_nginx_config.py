"""The gateway template, rendered as the launcher and the nginx image do, is what nginx runs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from gateway_config import (
    TEMPLATE,
    TLS_TEMPLATE,
    local_gateway_values,
    nginx_arguments,
    placeholders,
    render,
    write_gateway_config,
)

sys.path.insert(0, str(Path(__file__).parent))
from test_gateway_harness import (  # noqa: E402
    echo_upstream,
    free_port,
    gateway_values,
    nginx_binary,
    running_gateway,
)

REPO = Path(__file__).resolve().parents[2]


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
    # The TLS include, mounted into the image's templates/ with its variables, renders alike.
    tls_env = {
        **gateway_env,
        "GATEWAY_TLS_LISTEN": "8443",
        "GATEWAY_TLS_CERT": "/tls/cert.pem",
        "GATEWAY_TLS_KEY": "/tls/key.pem",
    }
    tls = TLS_TEMPLATE.read_text()
    assert envsubst(tls, {**container_env, **tls_env}) == render(tls, tls_env)


@pytest.fixture
def gateway(tmp_path) -> Iterator[str]:
    """nginx on the rendered template: identity and docportal answer, notes and audit are down."""
    with echo_upstream() as alive:
        down = f"127.0.0.1:{free_port()}"
        values = gateway_values(f"127.0.0.1:{free_port()}", alive, down, NOTES_UPSTREAM=down)
        with running_gateway(tmp_path, values) as url:
            yield url


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
