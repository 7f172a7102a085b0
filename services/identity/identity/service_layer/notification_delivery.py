"""Mailing the notifications owed: one (event, person) at a time, through the mail outbox.

Each owed mail is claimed (SKIP LOCKED), composed, queued in the mail outbox under its
(event, person) key and marked handed over, in one transaction; then it is sent at once. A
mail the server refuses stays in the mail outbox, which ``identity mail-worker`` retries with
backoff; the key keeps it from ever being queued twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from identity.adapters.activity_mail import ActivityMailer, NotificationMail
from identity.adapters.activity_repository import NotificationMails, OwedMail
from identity.adapters.mail_outbox import MAIL_OUTBOX, NOTIFICATION
from identity.adapters.repository import IdentityRepository
from identity.domain.digests import money
from identity.service_layer.mail_queue import queue_mail
from servicekit.db import UnitOfWork
from servicekit.mail_delivery import deliver_now

log = logging.getLogger("identity.notifications")

PASS_LIMIT = 200

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
    """Queue every owed notification and send it at once; count what went out and what the
    mail server refused (the mail outbox retries those)."""
    sent = failed = 0
    tried: set[tuple[str, str]] = set()
    while len(tried) < limit:
        claimed = _queue_next(uow, mailer, clock(), tried)
        if claimed is None:
            break
        owed, key = claimed
        tried.add((owed.event_id, owed.user_id))
        if key is None:
            continue
        if deliver_now(uow, MAIL_OUTBOX, mailer, key, clock):
            sent += 1
            log.info("notification mail sent", extra={"event_id": owed.event_id,
                                                      "user_id": owed.user_id,
                                                      "event_type": owed.event_type})
        else:
            failed += 1
    return DeliveryPass(sent, failed)


def _queue_next(uow: UnitOfWork, mailer: ActivityMailer, now: datetime,
                tried: set[tuple[str, str]]) -> tuple[OwedMail, str | None] | None:
    with uow:
        mails = NotificationMails(uow.session)
        owed = mails.next_due(now, skip=tried)
        if owed is None:
            return None
        mail, key = _compose(IdentityRepository(uow.session), owed), None
        if mail is not None:  # else deactivated or gone since: nobody to tell
            key = f"{NOTIFICATION}:{owed.event_id}:{owed.user_id}"
            if not queue_mail(uow.session, lambda: mailer.notification_message(mail), key=key,
                              kind=NOTIFICATION, now=now):
                key = None
        mails.mark_sent(owed, now)  # handed over to the mail outbox
        uow.commit()
    return owed, key


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
