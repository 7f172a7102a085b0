"""Sign-in throttling: 10 failures within 15 minutes lock the email for 15 minutes.

Pure state: the failure times recorded for an email go in, a decision and the failure
times to store come out. Failures are recorded per email address whether or not an
account has it, and the caller folds "no such account", "inactive" and "wrong password"
into one ``credentials_valid=False``; so an unknown email and a wrong password get the
same answer, lockouts included, and nobody learns which addresses have accounts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from identity.domain.clock import require_aware, seconds_until
from identity.domain.errors import SignInRefused

MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)

WRONG_CREDENTIALS = (
    "The email or password is not right. Check both and try again, or reset your password."
)


@dataclass(frozen=True)
class SignInDecision:
    accepted: bool
    failures: tuple[datetime, ...]  # the state to store for this email
    locked_until: datetime | None = None
    refusal: SignInRefused | None = None


def locked_until(failures: Sequence[datetime], now: datetime) -> datetime | None:
    """When the current lock ends, or None if the email is not locked at ``now``."""
    times = sorted(failures)
    ends = [
        times[i] + LOCKOUT
        for i in range(MAX_FAILURES - 1, len(times))
        if times[i] - times[i - MAX_FAILURES + 1] <= FAILURE_WINDOW
    ]
    latest = max(ends, default=None)
    return latest if latest is not None and now < latest else None


def decide_sign_in(
    credentials_valid: bool, failures: Sequence[datetime], now: datetime
) -> SignInDecision:
    """Check the lock first: while locked even the right password is refused."""
    require_aware(now)
    kept = _recent(failures, now)
    lock = locked_until(kept, now)
    if lock is not None:
        return SignInDecision(False, kept, lock, _locked_refusal(lock, now))
    if credentials_valid:
        return SignInDecision(True, ())
    kept = (*kept, now)
    lock = locked_until(kept, now)
    refusal = _locked_refusal(lock, now) if lock else SignInRefused(WRONG_CREDENTIALS)
    return SignInDecision(False, kept, lock, refusal)


def _recent(failures: Sequence[datetime], now: datetime) -> tuple[datetime, ...]:
    # A lock can rest on failures up to window + lockout old; older ones never matter.
    horizon = now - FAILURE_WINDOW - LOCKOUT
    return tuple(sorted(t for t in failures if t > horizon))


def _locked_refusal(until: datetime, now: datetime) -> SignInRefused:
    wait = seconds_until(until, now)
    return SignInRefused(
        f"Too many failed sign-ins for this email. Try again in {max(1, -(-wait // 60))} "
        "minute(s), or reset your password.",
        {"retry_after_seconds": wait, "locked_until": until.isoformat()},
    )
