"""Treatment plans in notes' database: one practice's, or the one a patient's link names."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from notes.adapters.tables import treatment_plans as plans
from notes.domain.plan_links import PlanLink
from notes.domain.treatment_plans import PlanItem, PlanStatus, TreatmentPlan

_DATES = ("sent_at", "opened_at", "decided_at", "payment_plan_accepted_at", "withdrawn_at")


class PracticeTreatmentPlans:
    """Every query is scoped to one practice: another practice's id finds nothing."""

    def __init__(self, session: Session, org_id: str) -> None:
        self.session, self.org_id = session, org_id

    def get(self, plan_id: str, *, for_update: bool = False) -> TreatmentPlan | None:
        query = select(plans).where(plans.c.id == plan_id, plans.c.org_id == self.org_id)
        row = self.session.execute(
            query.with_for_update() if for_update else query).mappings().first()
        return to_plan(row) if row else None

    def add(self, plan: TreatmentPlan) -> None:
        self.session.execute(plans.insert().values(org_id=self.org_id, **plan_values(plan)))

    def save(self, plan: TreatmentPlan, **link: Any) -> None:
        self.session.execute(update(plans).where(
            plans.c.id == plan.id, plans.c.org_id == self.org_id).values(
                **plan_values(plan), **link))

    def listed(self, *, patient_id: str | None, status: str | None, offset: int, limit: int
               ) -> tuple[list[TreatmentPlan], int]:
        where = [plans.c.org_id == self.org_id]
        if patient_id is not None:
            where.append(plans.c.patient_id == patient_id)
        if status is not None:
            where.append(plans.c.status == status)
        total = self.session.execute(
            select(func.count()).select_from(plans).where(*where)).scalar_one()
        rows = self.session.execute(
            select(plans).where(*where).order_by(plans.c.updated_at.desc(), plans.c.id)
            .offset(offset).limit(limit)).mappings().all()
        return [to_plan(row) for row in rows], total


class PlansByLink:
    """The patient's way in: a plan found by its link's token hash, whatever the practice."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, token_hash: str) -> tuple[str, TreatmentPlan, PlanLink] | None:
        """(practice id, plan, link), locked for the patient's change, or None."""
        row = self.session.execute(
            select(plans).where(plans.c.link_token_hash == token_hash).with_for_update()
        ).mappings().first()
        if row is None:
            return None
        link = PlanLink(plan_id=row["id"], sent_to=row["link_sent_to"],
                        expires_at=row["link_expires_at"],
                        wrong_addresses=row["link_wrong_addresses"])
        return row["org_id"], to_plan(row), link

    def count_wrong_address(self, plan_id: str) -> None:
        self.session.execute(update(plans).where(plans.c.id == plan_id).values(
            link_wrong_addresses=plans.c.link_wrong_addresses + 1))


def plan_values(plan: TreatmentPlan) -> dict[str, Any]:
    return {
        "id": plan.id, "patient_id": plan.patient_id, "clinic_id": plan.clinic_id,
        "practitioner_user_id": plan.practitioner_user_id, "currency": plan.currency,
        "items": [item_dict(item) for item in plan.items], "total_cents": plan.total_cents,
        "status": plan.status.value, "version": plan.version,
        "created_by_id": plan.created_by_id, "created_at": plan.created_at,
        "updated_at": plan.updated_at, **{name: getattr(plan, name) for name in _DATES},
    }


def item_dict(item: PlanItem) -> dict[str, Any]:
    return {"code": item.code, "description": item.description,
            "price_cents": item.price_cents, "quantity": item.quantity}


def to_plan(row: Any) -> TreatmentPlan:
    return TreatmentPlan(
        id=row["id"], patient_id=row["patient_id"], clinic_id=row["clinic_id"],
        practitioner_user_id=row["practitioner_user_id"], currency=row["currency"],
        created_by_id=row["created_by_id"], created_at=row["created_at"],
        updated_at=row["updated_at"], items=[PlanItem(**item) for item in row["items"]],
        status=PlanStatus(row["status"]), version=row["version"],
        **{name: row[name] for name in _DATES})
