"""The patient's side of a treatment plan: prove the address, see the plan, answer it.

No account and no token of identity's: the link's token is the key, and the address it was
mailed to is the lock. Each step finds the plan by the token's hash and refuses a link that
is unknown, withdrawn, answered, expired or locked with a message saying what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from notes.adapters.projection import IdentityProjection
from notes.adapters.treatment_plans import PlansByLink, PracticeTreatmentPlans, item_dict
from notes.domain.plan_links import (
    TOKEN_SHAPE,
    PlanLink,
    hash_link_token,
    link_refusal,
    same_address,
)
from notes.domain.treatment_plans import PatientChoice, TreatmentPlan
from notes.service_layer import plan_events as events
from notes.service_layer.errors import PlanLinkUnknown
from servicekit.db import UnitOfWork


@dataclass(frozen=True)
class PatientPlan:
    """What the patient's page shows: the sender, the items and the total."""

    practice_name: str
    clinic_name: str | None
    currency: str
    items: list[dict[str, Any]]
    total_cents: int
    status: str
    expires_at: datetime


def _usable(uow: UnitOfWork, token: str, now: datetime) -> tuple[str, TreatmentPlan, PlanLink]:
    found = PlansByLink(uow.session).find(hash_link_token(token)) \
        if TOKEN_SHAPE.match(token) else None
    if found is None:
        raise PlanLinkUnknown("This link does not open a treatment plan. Check that you copied "
                              "the whole link, or contact the clinic that sent it to you.")
    refusal = link_refusal(found[2], found[1].status, now)
    if refusal is not None:
        raise refusal
    return found


def check_link(uow: UnitOfWork, token: str, now: datetime) -> None:
    """Refuse a link that cannot open its plan (before asking for the address)."""
    with uow:
        _usable(uow, token, now)


def confirm_address(uow: UnitOfWork, token: str, typed: str, now: datetime) -> bool:
    """True when ``typed`` is the address the link was mailed to; a wrong one is counted."""
    with uow:
        _org, plan, link = _usable(uow, token, now)
        if same_address(link.sent_to, typed):
            return True
        PlansByLink(uow.session).count_wrong_address(plan.id)
        uow.commit()
    return False


def open_plan(uow: UnitOfWork, token: str, now: datetime) -> PatientPlan:
    """The plan for its patient; the first time, it is recorded as opened."""
    with uow:
        org_id, plan, link = _usable(uow, token, now)
        if plan.open(now):
            PracticeTreatmentPlans(uow.session, org_id).save(plan)
            uow.publish(events.plan_event(events.OPENED, plan, org_id, None))
        shown = _patient_plan(IdentityProjection(uow.session), org_id, plan, link)
        uow.commit()
    return shown


def choose(uow: UnitOfWork, token: str, choice: PatientChoice, now: datetime) -> PatientPlan:
    """The patient proceeds, or asks for a payment plan; the link is then used."""
    with uow:
        org_id, plan, link = _usable(uow, token, now)
        plan.open(now)  # an answer sent without a fresh page still means it was seen
        plan.choose(choice, now)
        PracticeTreatmentPlans(uow.session, org_id).save(plan)
        uow.publish(events.plan_event(events.BY_STATUS[plan.status.value], plan, org_id, None))
        shown = _patient_plan(IdentityProjection(uow.session), org_id, plan, link)
        uow.commit()
    return shown


def _patient_plan(projection: IdentityProjection, org_id: str, plan: TreatmentPlan,
                  link: PlanLink) -> PatientPlan:
    clinic = projection.clinic(org_id, plan.clinic_id) or {}
    return PatientPlan(
        practice_name=projection.practice_name(org_id) or clinic.get("name") or "Your clinic",
        clinic_name=clinic.get("name"), currency=plan.currency,
        items=[{**item_dict(i), "total_cents": i.total_cents} for i in plan.items],
        total_cents=plan.total_cents, status=plan.status.value, expires_at=link.expires_at)
