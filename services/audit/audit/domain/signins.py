"""Sign-in rules: a sign-in to a deactivated account, and bursts of failed sign-ins.

Burst policy (our decision): within any 5-minute window ending at ``now``, 5 or more
failures for one account (keyed by email, since a failure may name no existing user) is
a medium alert, someone guessing or a user locked out; 20 or more across one practice
is a high alert, the shape of credential stuffing. Successful sign-ins neither count nor
reset the count: a success after a run of failures is more suspicious, not less.
The consumer calls this with ``now`` = the failure event's time and suppresses repeats
of the same alert within the window.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from audit.domain.clock import as_utc
from audit.domain.recognition import Profile, Recognition, Severity


@dataclass(frozen=True)
class SignInAttempt:
    email: str
    org_id: str | None
    occurred_at: datetime
    succeeded: bool
    user_id: str | None = None


@dataclass(frozen=True)
class BurstPolicy:
    window: timedelta = timedelta(minutes=5)
    per_account: int = 5
    per_practice: int = 20


DEFAULT_BURST_POLICY = BurstPolicy()


def recognize_sign_in(profile: Profile, attempt: SignInAttempt) -> Recognition:
    """A sign-in (or attempt) to a deactivated account is an alert; otherwise nothing to say."""
    if profile.status != "deactivated":
        return Recognition(True, "sign_in", f"{profile.email} signed in.", Severity.LOW)
    if attempt.succeeded:
        # A deactivated account must not be usable at all: a success means a broken control.
        return Recognition(
            False,
            "sign_in_to_deactivated_account",
            f"{profile.email} signed in although the account is deactivated.",
            Severity.CRITICAL,
        )
    return Recognition(
        False,
        "sign_in_to_deactivated_account",
        f"Someone tried to sign in to the deactivated account {profile.email}.",
        Severity.MEDIUM,
    )


def detect_failed_sign_in_bursts(
    attempts: Iterable[SignInAttempt],
    now: datetime,
    policy: BurstPolicy = DEFAULT_BURST_POLICY,
) -> list[Recognition]:
    """Alerts for every account and practice whose failures in the window reach the limits."""
    now = as_utc(now, "now")
    since = now - policy.window
    recent = [
        a
        for a in attempts
        if not a.succeeded and since < as_utc(a.occurred_at, "occurred_at") <= now
    ]
    minutes = int(policy.window.total_seconds() // 60)
    alerts: list[Recognition] = []

    per_account = Counter(a.email.strip().casefold() for a in recent)
    for email, count in sorted(per_account.items()):
        if count >= policy.per_account:
            alerts.append(
                Recognition(
                    False,
                    "failed_sign_in_burst_account",
                    f"{count} failed sign-ins for {email} in {minutes} minutes.",
                    Severity.MEDIUM,
                    note=f"account {email}",
                )
            )

    per_practice = Counter(a.org_id for a in recent if a.org_id is not None)
    for org_id, count in sorted(per_practice.items()):
        if count >= policy.per_practice:
            alerts.append(
                Recognition(
                    False,
                    "failed_sign_in_burst_practice",
                    f"{count} failed sign-ins across the practice in {minutes} minutes.",
                    Severity.HIGH,
                    note=f"practice {org_id}",
                )
            )
    return alerts
