"""What a sign-in attempt leaves behind: its failure, kept for throttling, and its event.

Every refused attempt is an ``identity.session.sign_in_failed`` event carrying the source
address and browser. When the address is a staff email of exactly one practice (or of the
practice the caller named), the event belongs to that practice, so its audit record shows
who is guessing at its staff's accounts.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from identity.adapters.attempt_log import SignInFailures
from identity.adapters.repository import IdentityRepository
from identity.adapters.vendor_directory import PracticelessAccounts
from identity.domain.errors import SignInRefused, SignInThrottled
from identity.domain.origins import Origin
from identity.domain.sign_in import FAILURE_WINDOW, Failure, SignInDecision, decide_sign_in
from identity.domain.users import UserKind
from identity.events.access import SESSION_SIGN_IN_FAILED
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject


def judge_attempt(uow: UnitOfWork, *, kind: UserKind, email: str, credentials_valid: bool,
                  origin: Origin, now: datetime) -> SignInDecision:
    """Decide the attempt and keep what throttling needs; call inside an open unit of work."""
    failures = SignInFailures(uow.session)
    counted = failures.since(kind.value, email, now - FAILURE_WINDOW)
    decision = decide_sign_in(credentials_valid, counted, origin.address, now)
    if decision.record_failure:
        failures.record(kind.value, email, origin.address, now, now - FAILURE_WINDOW)
    elif decision.accepted:
        failures.forget(kind.value, email, origin.address)  # the owner's own typos
    return decision


def recent_failures(uow: UnitOfWork, kind: UserKind, email: str, now: datetime
                    ) -> list[Failure]:
    return SignInFailures(uow.session).since(kind.value, email, now - FAILURE_WINDOW)


def forget_failures(uow: UnitOfWork, kind: UserKind, email: str) -> None:
    """A password reset lifts every wait on the account: the owner proved the mailbox."""
    SignInFailures(uow.session).forget(kind.value, email.strip().lower())


def attempt_practice(repo: IdentityRepository, kind: UserKind, email: str,
                     practice_id: str | None) -> str | None:
    """The practice whose audit record a failed attempt belongs to, if exactly one."""
    if kind is UserKind.VENDOR:
        known = practice_id and PracticelessAccounts(repo.session).practice_name(practice_id)
        return practice_id if known else None
    if kind is not UserKind.STAFF:
        return None
    practices = repo.practices_with_staff_email(email)
    if practice_id is not None:
        return practice_id if practice_id in practices else None
    return practices[0] if len(practices) == 1 else None


def publish_failure(uow: UnitOfWork, *, email: str, kind: UserKind, org_id: str | None,
                    origin: Origin, refusal: SignInRefused | None = None,
                    facts: dict[str, object] | None = None) -> None:
    retry_after = refusal.details.get("retry_after_seconds") if refusal else None
    uow.publish(SESSION_SIGN_IN_FAILED.event(
        subject=_email_subject(email), org_id=org_id,
        data={"email": email, "account": kind.value,
              "reason": _reason(refusal),
              "throttled": retry_after is not None, "retry_after_seconds": retry_after,
              "source_address": origin.address, "user_agent": origin.user_agent,
              **(facts or {})}))


def _reason(refusal: SignInRefused | None) -> str:
    if isinstance(refusal, SignInThrottled):
        return "throttled"
    return "wrong_credentials" if refusal is not None else "refused"


def origin_facts(origin: Origin) -> dict[str, str]:
    """The origin as a successful sign-in's event records it."""
    return {"source_address": origin.address, "user_agent": origin.user_agent}


def _email_subject(email: str) -> Subject:
    # An address can be longer than a subject id; the hash still groups bursts per email.
    return Subject("sign_in", hashlib.sha256(email.encode()).hexdigest()[:32])
