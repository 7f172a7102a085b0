"""Sending a treatment plan: a new single-purpose link, mailed to the patient's address.

The mail goes out inside the unit of work, before the commit: if the mail server refuses it,
nothing changes (the plan stays as it was, no event) and the caller is told to try again. A
commit failing after a delivered mail leaves the patient a link that finds nothing; its page
tells them to contact the clinic, and sending again mails a working one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from notes.adapters.projection import IdentityProjection
from notes.adapters.records import PracticeRecords
from notes.adapters.treatment_plans import PracticeTreatmentPlans
from notes.domain.errors import InvalidTreatmentPlan
from notes.domain.plan_links import hash_link_token, link_expiry, new_link_token
from notes.service_layer import plan_events as events
from notes.service_layer.callers import Caller
from notes.service_layer.errors import PlanMailUnavailable
from notes.service_layer.patients import require_patient
from notes.service_layer.treatment_plans import plan_view, require_plan
from servicekit.db import UnitOfWork
from servicekit.mail import MailUnavailable


@dataclass(frozen=True)
class PlanMail:
    """What the patient's mail says: who sends it and the link; nothing clinical."""

    to: str
    practice_name: str
    clinic_name: str | None
    link: str
    expires_at: datetime


class PlanMailer(Protocol):
    def send_plan_link(self, mail: PlanMail) -> None: ...


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
        try:
            mailer.send_plan_link(_mail(IdentityProjection(uow.session), caller.org_id,
                                        plan.clinic_id, address,
                                        f"{settings.base_url.rstrip('/')}/t/{token}",
                                        expires_at))
        except MailUnavailable:
            raise PlanMailUnavailable(
                "The mail server is not answering, so the plan was not sent; try again in a "
                "few minutes.", {"plan_id": plan_id}) from None
        uow.commit()
    return {**plan_view(plan), "link_expires_at": expires_at}


def _mail(projection: IdentityProjection, org_id: str, clinic_id: str, address: str, link: str,
          expires_at: datetime) -> PlanMail:
    clinic = projection.clinic(org_id, clinic_id)
    practice = projection.practice_name(org_id) or (clinic or {}).get("name") or "Your clinic"
    return PlanMail(to=address, practice_name=practice,
                    clinic_name=(clinic or {}).get("name"), link=link, expires_at=expires_at)
