"""A relay's or consumer's own HTTP port: /metrics, and /healthz and /readyz for its probes.

An API's readiness is its database alone; a worker's is its database and the broker, since
it cannot do its one job without either. It serves them on METRICS_PORT from a daemon thread.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from servicekit.web.health import run_readiness_checks

if TYPE_CHECKING:
    from servicekit.runtime import Runtime

Checks = Mapping[str, Callable[[], None]]


def serve_worker_status(port: int, checks: Checks, host: str = "") -> ThreadingHTTPServer:
    """Serve /metrics, /healthz and /readyz on ``port``; returns the running server."""
    server = ThreadingHTTPServer((host, port), _handler(checks))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="worker-status", daemon=True).start()
    return server


def _handler(checks: Checks) -> type[BaseHTTPRequestHandler]:
    class WorkerStatus(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server hook's name
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, generate_latest(REGISTRY), CONTENT_TYPE_LATEST)
            elif path == "/healthz":
                self._json(200, {"status": "ok"})
            elif path == "/readyz":
                outcomes = run_readiness_checks(checks)
                ready = all(outcome == "ok" for outcome in outcomes.values())
                self._json(200 if ready else 503,
                           {"status": "ready" if ready else "not_ready", "checks": outcomes})
            else:
                self._json(404, {"error": {"code": "not_found", "details": {},
                                           "message": "Try /metrics, /healthz or /readyz."}})

        def _json(self, status: int, body: dict[str, Any]) -> None:
            self._send(status, json.dumps(body).encode(), "application/json")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass  # probes every few seconds would drown the worker's own log

    return WorkerStatus


def serve_status_if_configured(runtime: Runtime, *, needs_bus: bool = True) -> None:
    """Serve the worker's status on METRICS_PORT; unset, nothing (several local workers
    would fight for one port). ``needs_bus``: the broker is part of its readiness."""
    port = runtime.config.metrics_port
    if port is None:
        return
    checks: dict[str, Callable[[], None]] = {"database": runtime.check_database}
    if needs_bus:
        checks["bus"] = runtime.check_bus
    serve_worker_status(port, checks)
