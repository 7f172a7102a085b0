"""Mailing the notifications owed: one (event, person) at a time, as docportal retries mail.

Each owed mail is claimed in a short transaction of its own (SKIP LOCKED) that schedules its
next attempt before the mail goes out, so no lock is held while talking to the mail server and
a second sender finds it not due. A sent mail is marked sent and never goes again; a refused
one waits (1 minute, doubling to an hour) and is tried again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from identity.adapters.activity_mail import ActivityMailer, MailUnavailable, NotificationMail
from identity.adapters.activity_repository import NotificationMails, OwedMail
from identity.adapters.repository import IdentityRepository
from identity.domain.digests import money
from servicekit.db import UnitOfWork

log = logging.getLogger("identity.notifications")

PASS_LIMIT = 200
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=1)

WHAT_HAPPENED = {
    "notes.treatment_plan.proceeded": "A patient chose to proceed with a treatment plan",
    "notes.treatment_plan.payment_plan_requested": "A patient requested a payment plan",
    "notes.treatment_plan.payment_plan_accepted": "A patient accepted a payment plan",
}


@dataclass(frozen=True)
class DeliveryPass:
    sent: int
    failed: int


def deliver_notifications(uow: UnitOfWork, mailer: ActivityMailer,
                          clock: Callable[[], datetime], *, limit: int = PASS_LIMIT
                          ) -> DeliveryPass:
    """Send every owed notification that is due; return how many went out and failed."""
    sent = failed = 0
    tried: set[tuple[str, str]] = set()
    while len(tried) < limit:
        claimed = _claim_next(uow, clock(), tried)
        if claimed is None:
            break
        owed, mail = claimed
        tried.add((owed.event_id, owed.user_id))
        if mail is None:
            continue
        if _send(uow, mailer, owed, mail, clock):
            sent += 1
        else:
            failed += 1
    return DeliveryPass(sent, failed)


def _claim_next(uow: UnitOfWork, now: datetime, tried: set[tuple[str, str]]
                ) -> tuple[OwedMail, NotificationMail | None] | None:
    with uow:
        mails = NotificationMails(uow.session)
        owed = mails.next_due(now, skip=tried)
        if owed is None:
            return None
        mail = _compose(IdentityRepository(uow.session), owed)
        if mail is None:  # deactivated or gone since: nobody to tell
            mails.mark_sent(owed, now)
        else:
            mails.schedule_attempt(owed, now + _backoff(owed.attempts))
        uow.commit()
    return owed, mail


def _compose(repo: IdentityRepository, owed: OwedMail) -> NotificationMail | None:
    user = repo.user(owed.org_id, owed.user_id)
    if user is None or not user.active:
        return None
    facts = owed.facts
    clinic = repo.clinic(owed.org_id, facts["clinic_id"]) if facts.get("clinic_id") else None
    cents = facts.get("total_cents")
    value = money({str(facts.get("currency") or ""): int(cents)}) if cents else ""
    return NotificationMail(
        to=user.email, full_name=user.full_name, practice_name=repo.practice(owed.org_id).name,
        clinic_name=clinic.name if clinic else None,
        what_happened=WHAT_HAPPENED.get(owed.event_type, "A treatment plan changed"),
        value=value)


def _backoff(attempts: int) -> timedelta:
    return min(LAST_RETRY, FIRST_RETRY * 2 ** min(attempts, 10))


def _send(uow: UnitOfWork, mailer: ActivityMailer, owed: OwedMail, mail: NotificationMail,
          clock: Callable[[], datetime]) -> bool:
    try:
        mailer.send_notification(mail)
    except MailUnavailable as err:
        log.warning("notification mail not sent; tried again later", extra={
            "event_id": owed.event_id, "user_id": owed.user_id, "error": str(err)})
        return False
    with uow:
        NotificationMails(uow.session).mark_sent(owed, clock())
        uow.commit()
    log.info("notification mail sent", extra={"event_id": owed.event_id,
                                              "user_id": owed.user_id,
                                              "event_type": owed.event_type})
    return True
