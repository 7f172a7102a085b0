"""A real HTTP billing system for the tests: a threaded http.server that records each POST
and answers 500 to the first `fail_first` of them."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class BillingReceiver:
    fail_first: int = 0
    calls: list[tuple[dict[str, str], dict]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def keys(self) -> list[str]:
        with self.lock:
            return [headers["Idempotency-Key"] for headers, _ in self.calls]


def start_billing_receiver(receiver: BillingReceiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with receiver.lock:
                receiver.calls.append((dict(self.headers), json.loads(body)))
                failing = len(receiver.calls) <= receiver.fail_first
            self.send_response(500 if failing else 200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/exports"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
