"""A digital treatment plan: priced items for one patient, sent to them by a mailed link.

draft -> sent -> opened -> proceeded | payment_plan_requested -> payment_plan_accepted; staff
withdraw a plan until the patient has proceeded or a payment plan was accepted. Items are
edited only while the plan is a draft: what the patient sees is what was sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from notes.domain.clock import as_utc
from notes.domain.errors import (
    InvalidTreatmentPlan,
    StaleTreatmentPlanVersion,
    TreatmentPlanConflict,
)
from notes.domain.users import PracticeUser, UserCategory

MOST_ITEMS = 100
MOST_PRICE_CENTS = 100_000_000  # one million in the plan's currency
MOST_QUANTITY = 99


class PlanStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    OPENED = "opened"
    PROCEEDED = "proceeded"
    PAYMENT_PLAN_REQUESTED = "payment_plan_requested"
    PAYMENT_PLAN_ACCEPTED = "payment_plan_accepted"
    WITHDRAWN = "withdrawn"


class PatientChoice(StrEnum):
    PROCEED = "proceed"
    PAYMENT_PLAN = "payment_plan"


# Where the patient's page still waits for a choice.
AWAITING_PATIENT = frozenset({PlanStatus.SENT, PlanStatus.OPENED})
WITHDRAWABLE = frozenset({PlanStatus.DRAFT, *AWAITING_PATIENT,
                          PlanStatus.PAYMENT_PLAN_REQUESTED})
_CHOSEN = {PatientChoice.PROCEED: PlanStatus.PROCEEDED,
           PatientChoice.PAYMENT_PLAN: PlanStatus.PAYMENT_PLAN_REQUESTED}


@dataclass(frozen=True)
class PlanItem:
    code: str
    description: str
    price_cents: int
    quantity: int = 1

    @property
    def total_cents(self) -> int:
        return self.price_cents * self.quantity


def check_items(items: list[PlanItem]) -> None:
    """Bounds the API's schema also states, kept here so no other caller can break them."""
    if len(items) > MOST_ITEMS:
        raise InvalidTreatmentPlan(f"A plan holds at most {MOST_ITEMS} items; split it in two.",
                                   {"items": len(items)})
    for number, item in enumerate(items, start=1):
        if not (0 <= item.price_cents <= MOST_PRICE_CENTS) or \
                not (1 <= item.quantity <= MOST_QUANTITY) or not item.code.strip():
            raise InvalidTreatmentPlan(
                f"Item {number} needs a code, a price from 0 to {MOST_PRICE_CENTS} cents and a "
                f"quantity from 1 to {MOST_QUANTITY}; correct it and save again.",
                {"item": number})


@dataclass(kw_only=True)
class TreatmentPlan:
    id: str
    patient_id: str
    clinic_id: str
    practitioner_user_id: str
    currency: str
    created_by_id: str
    created_at: datetime
    updated_at: datetime
    items: list[PlanItem] = field(default_factory=list)
    status: PlanStatus = PlanStatus.DRAFT
    version: int = 1
    sent_at: datetime | None = None
    opened_at: datetime | None = None
    decided_at: datetime | None = None  # the patient's choice
    payment_plan_accepted_at: datetime | None = None
    withdrawn_at: datetime | None = None

    @property
    def total_cents(self) -> int:
        return sum(item.total_cents for item in self.items)

    def revise(self, *, expected_version: int, now: datetime, items: list[PlanItem] | None = None,
               currency: str | None = None, practitioner_user_id: str | None = None,
               clinic_id: str | None = None) -> None:
        """Change a draft; anything sent is what the patient was shown, so it stays."""
        self._require(PlanStatus.DRAFT, "Only a draft plan can be edited; withdraw this one "
                      "and create a new plan instead.")
        if expected_version != self.version:
            raise StaleTreatmentPlanVersion(
                "Someone saved this plan after you opened it; reload it and save again.",
                {"expected_version": expected_version, "current_version": self.version})
        if items is not None:
            check_items(items)
            self.items = list(items)
        self.currency = currency or self.currency
        self.practitioner_user_id = practitioner_user_id or self.practitioner_user_id
        self.clinic_id = clinic_id or self.clinic_id
        self._touch(now)

    def send(self, now: datetime) -> bool:
        """Send a draft, or send a sent/opened plan again (a new link); True when resent."""
        if self.status not in (PlanStatus.DRAFT, *AWAITING_PATIENT):
            raise self._conflict("This plan can no longer be sent; create a new plan instead.")
        if not self.items:
            raise InvalidTreatmentPlan("Add at least one item before sending the plan.",
                                       {"items": 0})
        resent = self.status is not PlanStatus.DRAFT
        if not resent:
            self.status = PlanStatus.SENT
        self.sent_at = as_utc(now)
        self._touch(now)
        return resent

    def open(self, now: datetime) -> bool:
        """The patient opened the page; True the first time (the plan becomes opened)."""
        if self.status is not PlanStatus.SENT:
            return False
        self.status, self.opened_at = PlanStatus.OPENED, as_utc(now)
        self._touch(now)
        return True

    def choose(self, choice: PatientChoice, now: datetime) -> None:
        """The patient's answer on their page: proceed, or ask for a payment plan."""
        if self.status not in AWAITING_PATIENT:
            raise self._conflict("This plan is no longer waiting for an answer; contact the "
                                 "clinic if you want to change yours.")
        self.status, self.decided_at = _CHOSEN[choice], as_utc(now)
        self._touch(now)

    def accept_payment_plan(self, now: datetime) -> None:
        self._require(PlanStatus.PAYMENT_PLAN_REQUESTED,
                      "Only a plan whose patient asked for a payment plan can have one "
                      "accepted.")
        self.status, self.payment_plan_accepted_at = PlanStatus.PAYMENT_PLAN_ACCEPTED, as_utc(now)
        self._touch(now)

    def withdraw(self, now: datetime) -> PlanStatus:
        """Withdraw the plan (its link stops working); the status it had before."""
        if self.status not in WITHDRAWABLE:
            raise self._conflict("This plan cannot be withdrawn any more: the patient has "
                                 "proceeded or a payment plan was accepted.")
        before = self.status
        self.status, self.withdrawn_at = PlanStatus.WITHDRAWN, as_utc(now)
        self._touch(now)
        return before

    def _require(self, status: PlanStatus, message: str) -> None:
        if self.status is not status:
            raise self._conflict(message)

    def _conflict(self, message: str) -> TreatmentPlanConflict:
        return TreatmentPlanConflict(message, {"plan_id": self.id, "status": self.status.value})

    def _touch(self, now: datetime) -> None:
        self.updated_at = as_utc(now)
        self.version += 1


def check_practitioner(user: PracticeUser | None, user_id: str) -> None:
    """A plan names an active practitioner of the practice (a clinician, not office staff)."""
    if user is None or not user.active or user.category != UserCategory.THERAPIST:
        raise InvalidTreatmentPlan(
            "Name an active practitioner of your practice (a dentist, hygienist, therapist) "
            "as the plan's practitioner.", {"practitioner_user_id": user_id})
