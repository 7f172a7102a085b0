"""deploy/local/gateway_client.py, the client of the demo, the end-to-end and fault tests and
the benchmarks, against a small fake gateway: 429s waited out, expected statuses checked, a
sign-in that enrols and answers the second factor."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gateway_client
import pyotp
import pytest
from gateway_client import GatewayClient, NotAsExpected

SECRET = pyotp.random_base32()


class FakeGateway(BaseHTTPRequestHandler):
    """Answers 429 to the first ``refusals`` requests, then as a tiny identity would."""

    refusals = 0
    seen: list[tuple[str, str | None, dict]] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._answer()

    def do_POST(self) -> None:  # noqa: N802
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        FakeGateway.seen.append((self.path, self.headers.get("Authorization"), body))
        if FakeGateway.refusals > 0:
            FakeGateway.refusals -= 1
            return self._send(429, {"error": {"code": "too_many_requests"}}, {"Retry-After": "60"})
        self._send(*identity(self.path, body))

    def _send(self, status: int, answer: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(answer).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def identity(path: str, body: dict) -> tuple[int, dict]:
    """A User Manager's sign-in: enrol on the first, a code with the password afterwards."""
    if path == "/api/identity/login":
        if "otp" not in body:
            return 401, {"error": {"code": "second_factor_enrollment_required",
                                   "details": {"enrollment_token": "enrol-1"}}}
        if pyotp.TOTP(SECRET).verify(body["otp"], valid_window=1):
            return 200, {"access_token": "second"}
        return 401, {"error": {"code": "second_factor_invalid"}}
    if path == "/api/identity/second-factor/enrollment":
        return 200, {"secret": SECRET}
    if path == "/api/identity/second-factor/enrollment/confirm":
        return 200, {"access_token": "first", "recovery_codes": [f"rc-{n}" for n in range(10)]}
    if path == "/api/notes/patients":
        return 200, {"items": []}
    return 404, {"error": {"code": "not_found", "message": "Nothing lives at this address."}}


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(gateway_client, "RETRY_CAP", 0.01)
    FakeGateway.refusals, FakeGateway.seen = 0, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGateway)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_gateway_429s_are_waited_out_and_the_token_is_sent(gateway):
    FakeGateway.refusals = 3
    answer = GatewayClient("t-1", url=gateway).get("notes", "/patients")
    assert answer.json() == {"items": []}
    assert [auth for _, auth, _ in FakeGateway.seen] == ["Bearer t-1"] * 4


def test_without_patience_a_429_is_an_answer_like_any_other(gateway):
    FakeGateway.refusals = 1
    assert GatewayClient(url=gateway, patience=0).get("notes", "/patients", None).status_code == 429


def test_an_unexpected_status_fails_with_the_answer_text(gateway):
    with pytest.raises(NotAsExpected, match=r"GET /api/notes/nowhere: 404, expected 200: .*"
                                            r"Nothing lives at this address"):
        GatewayClient(url=gateway).get("notes", "/nowhere")


def test_sign_in_enrols_the_second_factor_then_answers_its_code(gateway):
    client, email = GatewayClient(url=gateway), f"owner-{uuid.uuid4().hex[:8]}@client.example"
    FakeGateway.refusals = 1  # the gateway's sign-in limit, waited out mid sign-in
    assert client.sign_in(email, "pw") == "first"
    assert client.sign_in(email, "pw") == "second"
    paths = [path.removeprefix("/api/identity") for path, _, _ in FakeGateway.seen]
    assert paths == ["/login", "/login", "/second-factor/enrollment",
                     "/second-factor/enrollment/confirm", "/login"]
    assert "otp" in FakeGateway.seen[-1][2]
