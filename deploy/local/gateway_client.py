"""A client of the platform's HTTP API through the gateway, for scripts and tests.

One person's session (base URL, bearer token) shared by the demo, the end-to-end and fault
tests and the benchmarks. It waits out the gateway's 429s, checks the status a caller
expects (the answer's text in the failure) and signs people in through
servicekit.totp_wallet, which enrols and answers identity's second factor. It lives beside
the local stack's launcher, outside every service package: no production image holds it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from servicekit.totp_wallet import WALLET

GATEWAY = "http://127.0.0.1:8080"
# The gateway's Retry-After is its whole window (60 s) while a slot frees every few seconds,
# and a refused request uses up no slot: so ask again sooner than it says.
RETRY_CAP = 2.0


class NotAsExpected(AssertionError):
    """The platform answered another status than the caller expected, or did not reach the
    state a caller waits for within its deadline."""


@dataclass
class GatewayClient:
    """One person's calls through the gateway: ``GatewayClient(token).post("notes",
    "/patients", 201, json=...)``; without a token, anyone's (sign-in, links from mails).

    ``patience`` is how long 429s are waited out (0: a 429 is returned like any answer)."""

    token: str | None = None
    url: str = GATEWAY
    session: requests.Session = field(default_factory=requests.Session)
    timeout: float = 30
    patience: float = 120

    def __post_init__(self) -> None:
        self.url = self.url.rstrip("/")
        if self.token:
            self.session.headers["Authorization"] = f"Bearer {self.token}"

    def request(self, method: str, path: str, expect: int | None = None, *,
                token: str | None = None, **kwargs: Any) -> requests.Response:
        """``method`` on the gateway's ``path``; its status must be ``expect`` when given."""
        if token:
            kwargs["headers"] = {**kwargs.get("headers", {}), "Authorization": f"Bearer {token}"}
        kwargs.setdefault("timeout", self.timeout)
        response = past_rate_limit(
            lambda: self.session.request(method, f"{self.url}{path}", **kwargs), self.patience)
        if expect is not None and response.status_code != expect:
            raise NotAsExpected(f"{method} {path}: {response.status_code}, expected {expect}: "
                                f"{response.text[:500]}")
        return response

    def call(self, method: str, service: str, path: str, expect: int | None = None,
             **kwargs: Any) -> requests.Response:
        """A service's API: ``path`` under ``/api/<service>``."""
        return self.request(method, f"/api/{service}{path}", expect, **kwargs)

    def get(self, service: str, path: str, expect: int | None = 200,
            **kwargs: Any) -> requests.Response:
        return self.call("GET", service, path, expect, **kwargs)

    def post(self, service: str, path: str, expect: int | None = None,
             **kwargs: Any) -> requests.Response:
        return self.call("POST", service, path, expect, **kwargs)

    def patch(self, service: str, path: str, expect: int | None = None,
              **kwargs: Any) -> requests.Response:
        return self.call("PATCH", service, path, expect, **kwargs)

    def delete(self, service: str, path: str, expect: int | None = None,
               **kwargs: Any) -> requests.Response:
        return self.call("DELETE", service, path, expect, **kwargs)

    def sign_in_answer(self, email: str, password: str, **extra: Any) -> requests.Response:
        """identity's answer to the sign-in's last step (the wallet answers its questions)."""
        return WALLET.sign_in_with(
            lambda path, body, token: self.post("identity", path, token=token, json=body),
            _status_and_json, {"email": email, "password": password, **extra})

    def sign_in(self, email: str, password: str, **extra: Any) -> str:
        """An access token for ``email``; NotAsExpected when identity refuses."""
        response = self.sign_in_answer(email, password, **extra)
        if response.status_code != 200:
            raise NotAsExpected(f"sign-in of {email}: {response.status_code} "
                                f"{response.text[:500]}")
        return response.json()["access_token"]

    def wait_until_notes_knows(self, token: str | None = None, timeout: float = 30,
                               who: str = "the person") -> None:
        """Until notes has learned about this person from identity's events (the bus): a note
        on a case that does not exist is then 404, or 403 for another reason than an unknown
        account."""
        probe = {"case_id": str(uuid.uuid4()), "kind": "daily_note",
                 "date_of_service": "2026-11-20"}

        def known() -> bool:
            answer = self.post("notes", "/notes", token=token, json=probe)
            return answer.status_code == 404 or (
                answer.status_code == 403 and "account_not_known" not in answer.text)

        poll(known, timeout, f"notes did not learn about {who} (is a relay down?)", 0.1)


def past_rate_limit(call: Callable[[], requests.Response],
                    patience: float = 120) -> requests.Response:
    """``call()`` again while the answer is 429, for ``patience`` seconds at the most."""
    deadline = time.monotonic() + patience
    while True:
        response = call()
        if response.status_code != 429 or time.monotonic() >= deadline:
            return response
        retry_after = response.headers.get("Retry-After", "1")
        pause = min(float(retry_after) if retry_after.isdigit() else 1.0, RETRY_CAP)
        time.sleep(max(0.0, min(pause, deadline - time.monotonic())))


def poll(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.25) -> Any:
    """``check()``'s first truthy answer within ``timeout`` seconds, else NotAsExpected
    saying ``what`` did not happen."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise NotAsExpected(f"{what} within {timeout:.0f} s")
        time.sleep(interval)


def answers(url: str) -> bool:
    """Whether ``url`` answers 200 now (a health or readiness endpoint)."""
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


class SourceAddressAdapter(HTTPAdapter):
    """Connect from one loopback address (127.0.0.x): the gateway's per-address limits then
    count these requests apart, as they would a separate office's."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(address: str) -> requests.Session:
    """A session whose requests leave from ``address``."""
    session = requests.Session()
    session.mount("http://", SourceAddressAdapter(address))
    return session


def _status_and_json(response: requests.Response) -> tuple[int, Any]:
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, None
