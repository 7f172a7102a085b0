"""Sign-in throttling: guessing slows down per source address; the owner still gets in.

Failures are counted per account key (the kind of account asked for and the email, whether
or not an account has it) and, within it, per source address. An address that failed
``FREE_FAILURES_PER_ADDRESS`` times in ``FAILURE_WINDOW`` waits before its next attempt,
and each further failure doubles the wait (up to ``LONGEST_BACKOFF``). While the account
collects ``HOT_ACCOUNT_FAILURES`` failures from all addresses together (a guess spread over
many addresses), every address that already failed waits after its first failure. An
address with no recent failure is never refused, so nobody can lock the owner out, and a
correct password from it is accepted. The caller folds "no such account", "inactive" and
"wrong password" into one ``credentials_valid=False``: an unknown email and a wrong
password get the same answers, throttling included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from identity.domain.clock import require_aware, seconds_until
from identity.domain.errors import SignInRefused, SignInThrottled

FAILURE_WINDOW = timedelta(minutes=15)
FREE_FAILURES_PER_ADDRESS = 5
HOT_ACCOUNT_FAILURES = 20
FREE_FAILURES_WHEN_HOT = 1
FIRST_BACKOFF = timedelta(seconds=30)
LONGEST_BACKOFF = timedelta(minutes=15)

WRONG_CREDENTIALS = (
    "The email or password is not right. Check both and try again, or reset your password."
)


@dataclass(frozen=True)
class Failure:
    at: datetime
    address: str


@dataclass(frozen=True)
class SignInDecision:
    accepted: bool
    record_failure: bool = False  # store Failure(now, address) for this account key
    refusal: SignInRefused | None = None

    @property
    def throttled(self) -> bool:
        return isinstance(self.refusal, SignInThrottled)


def recent(failures: Sequence[Failure], now: datetime) -> list[Failure]:
    """The failures that still count at ``now``; older ones can be deleted."""
    return [f for f in failures if now - FAILURE_WINDOW < f.at <= now]


def retry_at(failures: Sequence[Failure], address: str, now: datetime) -> datetime | None:
    """When ``address`` may try this account again, or None if it may now."""
    counted = recent(failures, now)
    own = sorted(f.at for f in counted if f.address == address)
    free = (FREE_FAILURES_WHEN_HOT if len(counted) >= HOT_ACCOUNT_FAILURES
            else FREE_FAILURES_PER_ADDRESS)
    beyond = len(own) - free
    if beyond < 0:
        return None
    until = own[-1] + backoff(beyond)
    return until if now < until else None


def backoff(failures_beyond_free: int) -> timedelta:
    """30 s after the last free failure, doubling with each further one, 15 min at most."""
    doublings = min(failures_beyond_free, 10)  # 2**10 * 30 s is far past the cap already
    return min(FIRST_BACKOFF * 2.0**doublings, LONGEST_BACKOFF)


def decide_sign_in(credentials_valid: bool, failures: Sequence[Failure], address: str,
                   now: datetime) -> SignInDecision:
    """A throttled address is refused before its password counts; otherwise the password
    decides, and a wrong one is recorded (refused with 429 if it starts a wait)."""
    require_aware(now)
    waiting = retry_at(failures, address, now)
    if waiting is not None:
        return SignInDecision(False, refusal=throttled(waiting, now))
    if credentials_valid:
        return SignInDecision(True)
    after = retry_at([*failures, Failure(now, address)], address, now)
    refusal = throttled(after, now) if after else SignInRefused(WRONG_CREDENTIALS)
    return SignInDecision(False, record_failure=True, refusal=refusal)


def throttled(until: datetime, now: datetime) -> SignInThrottled:
    wait = max(1, seconds_until(until, now))
    return SignInThrottled(
        f"Too many failed sign-ins for this email from your network. Try again in {wait} "
        "second(s), or reset your password.",
        {"retry_after_seconds": wait},
    )
