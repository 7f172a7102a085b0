"""The gateway's access log names every route, but never a recipient link's token."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).parent))
from test_gateway_harness import (  # noqa: E402
    echo_upstream,
    free_port,
    gateway_values,
    running_gateway,
)

TOKEN = "Zq3v9Kx2bT7wLm4nP8rS1uY6aD5fH0jC"


def test_the_access_log_keeps_portal_routes_and_hides_link_tokens(tmp_path):
    log = tmp_path / "access.log"

    def log_to_file(config: str) -> str:
        return config.replace("access_log /dev/stdout clinic_json;",
                              f"access_log {log} clinic_json;")

    with echo_upstream() as alive:
        values = gateway_values(f"127.0.0.1:{free_port()}", alive, f"127.0.0.1:{free_port()}")
        with running_gateway(tmp_path / "nginx", values, edit=log_to_file) as url:
            for path in (f"/portal/s/{TOKEN}", f"/portal/s/{TOKEN}/register", "/portal/login",
                         f"/portal/reset-password?token={TOKEN}", "/api/notes/patients",
                         f"/plan/t/{TOKEN}", f"/plan/t/{TOKEN}/answer", "/plan/static/plan.css"):
                requests.get(f"{url}{path}", timeout=5)
    text = log.read_text()
    paths = [json.loads(line)["path"] for line in text.splitlines()
             if json.loads(line)["path"] != "/healthz"]
    assert TOKEN not in text
    assert paths == ["/portal/s/[redacted]", "/portal/s/[redacted]", "/portal/login",
                     "/portal/reset-password", "/api/notes/patients", "/plan/t/[redacted]",
                     "/plan/t/[redacted]", "/plan/static/plan.css"]
