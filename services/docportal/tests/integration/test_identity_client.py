"""The identity client's answers to what identity may send back, over real HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from docportal.adapters.identity_client import HttpRecipientAccounts
from docportal.service_layer.ports import IdentityRefused, IdentityUnavailable
from servicekit_testing.servers import free_port

pytestmark = pytest.mark.integration

ANSWERS = {
    "/login": (429, {"error": {"code": "sign_in_locked", "message": "Locked; wait.",
                               "details": {"retry_after_seconds": 60}}}, {"Retry-After": "60"}),
    "/token/refresh": (200, {"access_token": "a", "refresh_token": "r"}, {}),
    "/password/forgot": (502, "<html>bad gateway</html>", {}),
    "/password/reset": (410, "not json", {}),
}


@pytest.fixture
def identity_url() -> Iterator[str]:
    @Request.application
    def answer(request: Request) -> Response:
        status, body, headers = ANSWERS[request.path]
        text = body if isinstance(body, str) else json.dumps(body)
        return Response(text, status=status, headers=headers, content_type="application/json")

    port = free_port()
    server = make_server("127.0.0.1", port, answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=10)


def test_a_refusal_keeps_identitys_status_code_message_and_retry_after(identity_url):
    with pytest.raises(IdentityRefused) as refused:
        HttpRecipientAccounts(identity_url, "s").sign_in("a@example.org", "pw")

    assert (refused.value.status, refused.value.code) == (429, "sign_in_locked")
    assert refused.value.message == "Locked; wait."
    assert refused.value.details["retry_after"] == "60"


def test_tokens_come_back_as_tokens(identity_url):
    tokens = HttpRecipientAccounts(identity_url, "s").refresh("old")

    assert (tokens.access_token, tokens.refresh_token) == ("a", "r")


@pytest.mark.parametrize("call", [
    lambda accounts: accounts.forgot_password("a@example.org"),  # a 5xx
    lambda accounts: accounts.reset_password("t", "pw"),  # not the platform's error shape
])
def test_anything_but_a_platform_refusal_is_identity_unavailable(identity_url, call):
    with pytest.raises(IdentityUnavailable):
        call(HttpRecipientAccounts(identity_url, "s"))


def test_no_answer_at_all_is_identity_unavailable():
    with pytest.raises(IdentityUnavailable):
        HttpRecipientAccounts(f"http://127.0.0.1:{free_port()}", "s").sign_out("r")
