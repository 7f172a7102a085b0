"""Sending a treatment plan: a new single-purpose link, mailed to the patient's address.

The mail is queued in notes' mail outbox in the unit of work that sends the plan: the plan,
its event and its mail are committed together or not at all. Right after the commit the mail
is tried once; a mail server that is down delays it (``notes mail-worker`` retries with
backoff) but never refuses the sending. ``mail_status`` says which it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Protocol

from notes.adapters.mail_outbox import MAIL_OUTBOX
from notes.adapters.projection import IdentityProjection
from notes.adapters.records import PracticeRecords
from notes.adapters.treatment_plans import PracticeTreatmentPlans
from notes.domain.errors import InvalidTreatmentPlan
from notes.domain.plan_links import hash_link_token, link_expiry, new_link_token
from notes.service_layer import plan_events as events
from notes.service_layer.callers import Caller
from notes.service_layer.patients import require_patient
from notes.service_layer.treatment_plans import plan_view, require_plan
from servicekit.db import UnitOfWork
from servicekit.mail_delivery import deliver_now


@dataclass(frozen=True)
class PlanMail:
    """What the patient's mail says: who sends it and the link; nothing clinical."""

    to: str
    practice_name: str
    clinic_name: str | None
    link: str
    expires_at: datetime


class PlanMailer(Protocol):
    def plan_link_message(self, mail: PlanMail) -> EmailMessage: ...

    def send(self, message: EmailMessage) -> None:
        """Raises servicekit.mail.MailUnavailable when the mail server cannot take it."""


@dataclass(frozen=True)
class LinkSettings:
    base_url: str  # PLAN_BASE_URL: the patient pages behind the gateway, e.g. .../plan
    days: int


def send_plan(uow: UnitOfWork, caller: Caller, plan_id: str, now: datetime,
              mailer: PlanMailer, settings: LinkSettings) -> dict[str, Any]:
    """Mail the patient a link to the plan (again: a new link, the older one stops working)."""
    with uow:
        plans = PracticeTreatmentPlans(uow.session, caller.org_id)
        plan = require_plan(plans, plan_id)
        patient = require_patient(PracticeRecords(uow.session, caller.org_id), plan.patient_id)
        address = (patient.get("email") or "").strip()
        if not address:
            raise InvalidTreatmentPlan(
                "The patient has no email address; add it to their record, then send the "
                "plan.", {"reason": "patient_has_no_email"})
        resent = plan.send(now)
        token, expires_at = new_link_token(), link_expiry(now, settings.days)
        plans.save(plan, link_token_hash=hash_link_token(token), link_sent_to=address,
                   link_expires_at=expires_at, link_wrong_addresses=0)
        uow.publish(events.plan_event(events.SENT, plan, caller.org_id, caller.actor,
                                      resent=resent, expires_at=expires_at.isoformat()))
        link = f"{settings.base_url.rstrip('/')}/t/{token}"
        key = f"treatment_plan:{plan.id}:{hash_link_token(token)[:24]}"
        MAIL_OUTBOX.add(uow.session, mailer.plan_link_message(_mail(
            IdentityProjection(uow.session), caller.org_id, plan.clinic_id, address, link,
            expires_at)), key=key, kind="treatment_plan", now=now, send_before=expires_at)
        uow.commit()
    sent = deliver_now(uow, MAIL_OUTBOX, mailer, key, lambda: now)
    return {**plan_view(plan), "link_expires_at": expires_at,
            "mail_status": "sent" if sent else "pending"}


def _mail(projection: IdentityProjection, org_id: str, clinic_id: str, address: str, link: str,
          expires_at: datetime) -> PlanMail:
    clinic = projection.clinic(org_id, clinic_id)
    practice = projection.practice_name(org_id) or (clinic or {}).get("name") or "Your clinic"
    return PlanMail(to=address, practice_name=practice,
                    clinic_name=(clinic or {}).get("name"), link=link, expires_at=expires_at)
