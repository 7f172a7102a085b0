"""Sign-in throttling through HTTP: a guessing address waits, the owner still gets in, and
every attempt is on the practice's record with its address and browser."""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from identity.adapters.repository import PasswordResetRepository
from identity.bootstrap import Identity
from identity.domain.password_resets import issue_password_reset
from identity.domain.sign_in import FREE_FAILURES_PER_ADDRESS

sys.path.insert(0, str(Path(__file__).parent))
from identity_accounts import PASSWORD, events, new_recipient  # noqa: E402

from servicekit.totp_wallet import WALLET, sign_in_through

pytestmark = pytest.mark.integration
OWNER = "owner@harbourphysio.example"
GUESSER, OWNERS_HOME = "203.0.113.9", "198.51.100.20"
NEW_PASSWORD = "amber pelican thunder road"


def attempt(client, email: str, password: str, address: str, **extra):
    """A sign-in as the gateway forwards it: the client's address in X-Forwarded-For."""
    return sign_in_through(client, {"email": email, "password": password, **extra},
                           headers={"X-Forwarded-For": address, "User-Agent": "Guesser/1.0"})


def test_anonymous_guessing_never_keeps_the_owner_out(client, practice):
    answers = [attempt(client, OWNER, f"guess {n}", GUESSER).status_code for n in range(10)]

    assert answers == [401] * (FREE_FAILURES_PER_ADDRESS - 1) + [429] * 6
    assert attempt(client, OWNER, PASSWORD, OWNERS_HOME).status_code == 200


def test_a_guessing_address_waits_with_retry_after_even_for_the_right_password(
        client, practice):
    for n in range(FREE_FAILURES_PER_ADDRESS):
        attempt(client, OWNER, f"guess {n}", GUESSER)

    waiting = attempt(client, OWNER, PASSWORD, GUESSER)

    assert waiting.status_code == 429
    assert waiting.get_json()["error"]["code"] == "sign_in_throttled"
    assert 0 < int(waiting.headers["Retry-After"]) <= 30


def test_the_wait_grows_with_each_failure_and_ends(client, ident, practice,
                                                   monkeypatch):
    clock = Clock(ident.now())
    monkeypatch.setattr(Identity, "now", staticmethod(clock))
    monkeypatch.setattr(WALLET, "_clock", lambda: clock.at.timestamp())  # the owner's app
    waits = []
    for n in range(FREE_FAILURES_PER_ADDRESS + 2):
        answer = attempt(client, OWNER, f"guess {n}", GUESSER)
        if answer.status_code == 429:
            waits.append(int(answer.headers["Retry-After"]))
            clock.at += timedelta(seconds=waits[-1])
    assert waits == [30, 60, 120]
    assert attempt(client, OWNER, PASSWORD, GUESSER).status_code == 200


def test_guessing_through_the_portal_never_touches_the_staff_account(client, practice):
    """The portal signs recipients in from its own address: those failures are the
    recipient account's, never the staff account's with the same email."""
    for n in range(10):
        attempt(client, OWNER, f"guess {n}", "10.1.1.1", account="recipient")
    assert attempt(client, OWNER, PASSWORD, "10.1.1.1").status_code == 200


def test_a_password_reset_lifts_every_wait_on_the_account(client, ident, practice):
    for n in range(FREE_FAILURES_PER_ADDRESS):
        attempt(client, OWNER, f"my old password {n}", OWNERS_HOME)
    assert attempt(client, OWNER, NEW_PASSWORD, OWNERS_HOME).status_code == 429

    reset = client.post("/password/reset", json={"token": reset_token(ident, practice.owner_id),
                                                  "password": NEW_PASSWORD})

    assert reset.status_code == 204, reset.get_json()
    assert attempt(client, OWNER, NEW_PASSWORD, OWNERS_HOME).status_code == 200


def test_every_failed_sign_in_is_on_the_practices_record_with_address_and_browser(
        client, ident, practice):
    long_agent = "Mozilla/5.0 " + "x" * 2_000
    client.post("/login", json={"email": OWNER, "password": "nope"},
                headers={"X-Forwarded-For": GUESSER, "User-Agent": long_agent})
    for n in range(FREE_FAILURES_PER_ADDRESS):
        attempt(client, OWNER, f"guess {n}", GUESSER)
    attempt(client, OWNER, PASSWORD, OWNERS_HOME)

    failed = events(ident, "identity.session.sign_in_failed")
    assert len(failed) == 1 + FREE_FAILURES_PER_ADDRESS
    assert {e["org_id"] for e in failed} == {practice.id}
    assert {e["data"]["source_address"] for e in failed} == {GUESSER}
    assert failed[0]["data"]["user_agent"] == long_agent[:256]
    assert failed[0]["data"]["reason"] == "wrong_credentials"
    assert failed[-1]["data"]["reason"] == "throttled" and failed[-1]["data"]["throttled"]
    signed_in = events(ident, "identity.session.signed_in")[-1]
    assert signed_in["data"]["source_address"] == OWNERS_HOME
    assert signed_in["data"]["user_agent"] == "Guesser/1.0"


def test_an_email_of_staff_in_two_practices_names_no_single_practice(
        client, ident, practice, other_practice, add_person):
    add_person(other_practice, "twin", "PT", "therapist@harbourphysio.example")
    attempt(client, "therapist@harbourphysio.example", "nope", GUESSER)
    attempt(client, "therapist@harbourphysio.example", "nope", GUESSER,
            practice_id=other_practice.id)
    attempt(client, "nobody@harbourphysio.example", "nope", GUESSER)

    org_ids = [e["org_id"] for e in events(ident, "identity.session.sign_in_failed")]

    assert org_ids == [None, other_practice.id, None]


def test_a_recipient_failure_belongs_to_no_practice(client, ident):
    email = f"dr-{uuid.uuid4().hex[:8]}@orthoclinic.example"
    new_recipient(ident, email)
    attempt(client, email, "nope", GUESSER, account="recipient")
    [failed] = events(ident, "identity.session.sign_in_failed")
    assert failed["org_id"] is None and failed["data"]["account"] == "recipient"


def test_an_unknown_email_takes_as_long_as_a_wrong_password(client, practice):
    """A regression test for the timing leak, not a benchmark: medians of interleaved
    calls, each from its own address so that throttling treats both alike."""
    unknown = f"nobody-{uuid.uuid4().hex[:8]}@harbourphysio.example"
    known_times, unknown_times = [], []
    for n in range(24):
        address = f"10.2.0.{n}"
        known_times.append(timed(attempt, client, OWNER, "nope", address))
        unknown_times.append(timed(attempt, client, unknown, "nope", address))
    assert_same_time(known_times, unknown_times)


# --- helpers -------------------------------------------------------------------------


class Clock:
    def __init__(self, at) -> None:
        self.at = at

    def __call__(self):
        return self.at


def reset_token(ident, user_id: str) -> str:
    with ident.uow() as uow:
        reset, token = issue_password_reset(user_id, ident.now())
        PasswordResetRepository(uow.session).add(reset)
        uow.commit()
    return token.raw


def timed(call, *args) -> float:
    started = time.perf_counter()
    call(*args)
    return time.perf_counter() - started


def assert_same_time(first: list[float], second: list[float]) -> None:
    """Medians within 20 % of the slower one plus 3 ms: loose enough for a loaded 2-core
    machine, tight enough to catch an SMTP round trip or a skipped hash."""
    a, b = statistics.median(first), statistics.median(second)
    assert abs(a - b) <= 0.2 * max(a, b) + 0.003, (a, b)
