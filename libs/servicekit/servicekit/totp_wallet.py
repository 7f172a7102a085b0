"""A scripted person's authenticator app: signs in through identity's second factor.

The demo, the benchmarks and the tests sign people in the way a person would: password,
then a code from an authenticator app (here pyotp, a real RFC 6238 client), enrolling the
first time identity asks. The wallet remembers each account's secret and recovery codes
for the life of the process. Identity takes each 30-second step's code once, so when a
script signs the same person in again within a step, the wallet uses the next step's code
(identity accepts one step of drift) and then recovery codes, renewing them before they
run out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pyotp

# post(path, json_body, bearer_token_or_None) -> (status, json_answer)
Post = Callable[[str, dict[str, Any], str | None], tuple[int, Any]]

STEP = 30
KEEP_RECOVERY_CODES = 3
RENEW_PATH = "/me/second-factor/recovery-codes"
ENROL = "second_factor_enrollment_required"
GATEWAY_LIMIT = "too_many_requests"  # the gateway's rate limit, not one of identity's
MOST_TRIES = 3
R = TypeVar("R")


@dataclass
class _Account:
    secret: str
    recovery_codes: list[str] = field(default_factory=list)
    last_step: int = 0


class TotpWallet:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._accounts: dict[tuple[str, str], _Account] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def secret_of(self, email: str, account: str = "staff",
                  practice_id: str | None = None) -> str | None:
        held = self._accounts.get(_key(email, account, practice_id))
        return held.secret if held else None

    def sign_in(self, post: Post, body: dict[str, Any]) -> tuple[int, Any]:
        """POST /login with ``body``; answer identity's second-factor questions if asked.

        An account the wallet holds sends its code with the password at once (one request,
        as an app user would type both); otherwise identity says what it needs. A step the
        gateway's rate limit refuses is asked again after a pause, as an app would: retrying
        the whole sign-in instead would spend the refilled allowance on its first step each
        time and never finish."""
        post = _patient(post)
        key = _key(body["email"], body.get("account", "staff"), body.get("practice_id"))
        if key not in self._accounts:
            status, answer = post("/login", body, None)
            if _error_code(answer) == ENROL:
                return self._enrol(post, key, answer["error"]["details"]["enrollment_token"])
            if (status, _error_code(answer)) != (401, "second_factor_required") \
                    or key not in self._accounts:
                return status, answer
        return self._answer_with_code(post, key, body)

    def _answer_with_code(self, post: Post, key: tuple[str, str],
                          body: dict[str, Any]) -> tuple[int, Any]:
        for _ in range(MOST_TRIES):
            otp, from_recovery, undo = self._next_code(key)
            status, answer = post("/login", {**body, "otp": otp}, None)
            code = _error_code(answer)
            if code == ENROL:  # the account's factor was reset (or this is another stack)
                return self._enrol(post, key, answer["error"]["details"]["enrollment_token"])
            if code == "second_factor_invalid":  # used by another client of this account
                continue
            if status != 200:  # refused before the code was looked at: keep it for later
                undo()
            break
        if status == 200 and from_recovery:
            self._renew_if_low(post, key, answer["access_token"])
        return status, answer

    def sign_in_with(self, send: Callable[[str, dict[str, Any], str | None], R],
                     read: Callable[[R], tuple[int, Any]], body: dict[str, Any]) -> R:
        """``sign_in`` over any HTTP client: ``send`` posts, ``read`` gives (status, json);
        answers the client's own response to the sign-in's last step."""
        kept: list[R] = []

        def post(path: str, json_body: dict[str, Any], token: str | None) -> tuple[int, Any]:
            response = send(path, json_body, token)
            if path != RENEW_PATH:
                kept.append(response)
            return read(response)

        self.sign_in(post, body)
        return kept[-1]

    def code_for(self, email: str, account: str = "staff",
                 practice_id: str | None = None) -> str:
        """A code identity has not seen yet (for a sign-in form driven by a browser)."""
        return self._next_code(_key(email, account, practice_id))[0]

    def remember(self, email: str, secret: str, recovery_codes: list[str], *,
                 account: str = "staff", practice_id: str | None = None) -> None:
        """Hold a factor enrolled some other way (a browser on the staff pages)."""
        key = _key(email, account, practice_id)
        with self._lock:
            held = self._accounts.get(key)
            if held is not None and held.secret == secret:
                held.recovery_codes = list(recovery_codes)
            else:
                self._accounts[key] = _Account(secret, list(recovery_codes))

    def _enrol(self, post: Post, key: tuple[str, str], token: str) -> tuple[int, Any]:
        status, started = post("/second-factor/enrollment", {"enrollment_token": token}, None)
        if status != 200:
            return status, started
        held = _Account(secret=started["secret"])
        with self._lock:
            self._accounts[key] = held
        code, _, _ = self._next_code(key)
        status, answer = post("/second-factor/enrollment/confirm",
                              {"enrollment_token": token, "code": code}, None)
        if status == 200:
            held.recovery_codes = list(answer["recovery_codes"])
        return status, answer

    def _next_code(self, key: tuple[str, str]) -> tuple[str, bool, Callable[[], None]]:
        """A TOTP code of an unused step (now, then now + 1), else a recovery code, else the
        next step's code once it comes; with a way to give it back unused."""
        with self._lock:
            held = self._accounts[key]
            before = held.last_step
            now_step = int(self._clock()) // STEP
            for step in (now_step, now_step + 1):
                if step > held.last_step:
                    held.last_step = step

                    def undo(held: _Account = held, before: int = before) -> None:
                        held.last_step = before
                    return pyotp.TOTP(held.secret).generate_otp(step), False, undo
            if held.recovery_codes:
                code = held.recovery_codes.pop(0)
                return code, True, lambda: held.recovery_codes.insert(0, code)
        time.sleep(STEP - self._clock() % STEP + 0.1)  # every code of this minute is spent
        return self._next_code(key)

    def _renew_if_low(self, post: Post, key: tuple[str, str], access_token: str) -> None:
        held = self._accounts[key]
        if len(held.recovery_codes) > KEEP_RECOVERY_CODES:
            return
        with self._lock:
            otp = held.recovery_codes.pop(0)
        status, answer = post("/me/second-factor/recovery-codes", {"otp": otp}, access_token)
        if status == 200:
            held.recovery_codes = list(answer["recovery_codes"])


def _patient(post: Post, pause: float = 2.0, most_seconds: float = 90.0) -> Post:
    """``post`` that waits out the gateway's own 429 (``too_many_requests``); identity's
    throttles (a guessing address, wrong codes) are answers and come straight back."""

    def patiently(path: str, body: dict[str, Any], token: str | None) -> tuple[int, Any]:
        deadline = time.monotonic() + most_seconds
        while True:
            status, answer = post(path, body, token)
            if status != 429 or _error_code(answer) != GATEWAY_LIMIT \
                    or time.monotonic() > deadline:
                return status, answer
            time.sleep(pause)

    return patiently


def _key(email: str, account: str, practice_id: str | None = None) -> tuple[str, str]:
    """One staff email may belong to several practices (several accounts, several
    secrets); a vendor's account is the same whichever practice it enters."""
    where = practice_id if account == "staff" and practice_id else ""
    return account, f"{email.strip().lower()} {where}".strip()


def _error_code(answer: Any) -> str | None:
    if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
        code: str | None = answer["error"].get("code")
        return code
    return None


WALLET = TotpWallet()  # one per process: scripts and tests share what they enrolled


def sign_in_through(client: Any, body: dict[str, Any], prefix: str = "", **options: Any) -> Any:
    """Sign in with ``WALLET`` through a Flask test client or a requests session (anything
    with ``.post(url, json=, headers=)``); ``prefix`` is put before each path (a base URL,
    ``/api/identity``). Answers the client's response to the sign-in's last step."""

    extra_headers = options.pop("headers", {})

    def send(path: str, json_body: dict[str, Any], token: str | None) -> Any:
        headers = {**extra_headers, **({"Authorization": f"Bearer {token}"} if token else {})}
        return client.post(prefix + path, json=json_body, headers=headers, **options)

    return WALLET.sign_in_with(send, _status_and_json, body)


def _status_and_json(response: Any) -> tuple[int, Any]:
    if hasattr(response, "get_json"):
        return response.status_code, response.get_json(silent=True)
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, None
