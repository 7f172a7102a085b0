"""A treatment plan's life and money: drafted, sent, opened, answered, accepted or withdrawn."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from notes.domain.errors import (
    InvalidTreatmentPlan,
    PlanLinkExpired,
    PlanLinkLocked,
    PlanLinkUsed,
    PlanWithdrawn,
    StaleTreatmentPlanVersion,
    TreatmentPlanConflict,
)
from notes.domain.plan_links import (
    WRONG_ADDRESSES_BEFORE_LOCK,
    PlanLink,
    hash_link_token,
    link_expiry,
    link_refusal,
    new_link_token,
    same_address,
)
from notes.domain.treatment_plans import (
    PatientChoice,
    PlanItem,
    PlanStatus,
    TreatmentPlan,
    check_practitioner,
)
from notes.domain.users import PracticeUser, UserCategory

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CROWN = PlanItem(code="D2740", description="Crown, porcelain", price_cents=120_050, quantity=1)
FILLING = PlanItem(code="D2391", description="Resin filling", price_cents=18_000, quantity=3)


def draft(*items: PlanItem) -> TreatmentPlan:
    return TreatmentPlan(id=str(uuid.uuid4()), patient_id="p", clinic_id="c",
                         practitioner_user_id="u", currency="USD", created_by_id="u",
                         created_at=NOW, updated_at=NOW, items=list(items))


def sent(*items: PlanItem) -> TreatmentPlan:
    plan = draft(*(items or (CROWN,)))
    plan.send(NOW)
    return plan


def test_total_is_each_price_times_its_quantity():
    plan = draft(CROWN, FILLING)

    assert FILLING.total_cents == 54_000
    assert plan.total_cents == 120_050 + 54_000


def test_an_empty_plan_totals_zero_and_cannot_be_sent():
    plan = draft()

    assert plan.total_cents == 0
    with pytest.raises(InvalidTreatmentPlan):
        plan.send(NOW)
    assert plan.status is PlanStatus.DRAFT


def test_a_draft_is_edited_with_its_version_and_each_edit_bumps_it():
    plan = draft(CROWN)

    plan.revise(expected_version=1, now=NOW, items=[FILLING], currency="AUD")

    assert (plan.items, plan.currency, plan.version) == ([FILLING], "AUD", 2)
    with pytest.raises(StaleTreatmentPlanVersion):
        plan.revise(expected_version=1, now=NOW, items=[CROWN])


def test_an_item_needs_a_code_a_bounded_price_and_a_quantity_of_at_least_one():
    plan = draft()
    for bad in (PlanItem("", "x", 100, 1), PlanItem("A", "x", -1, 1), PlanItem("A", "x", 1, 0)):
        with pytest.raises(InvalidTreatmentPlan):
            plan.revise(expected_version=plan.version, now=NOW, items=[bad])


def test_a_sent_plan_is_no_longer_edited():
    plan = sent()

    with pytest.raises(TreatmentPlanConflict):
        plan.revise(expected_version=plan.version, now=NOW, items=[FILLING])


def test_sending_again_keeps_an_opened_plan_opened_and_says_it_was_resent():
    plan = sent()
    assert plan.open(NOW) is True

    assert plan.send(NOW + timedelta(days=1)) is True
    assert plan.status is PlanStatus.OPENED


def test_opening_is_recorded_the_first_time_only():
    plan = sent()

    assert plan.open(NOW) is True
    assert plan.open(NOW + timedelta(minutes=5)) is False
    assert plan.opened_at == NOW


@pytest.mark.parametrize(("choice", "status"), [
    (PatientChoice.PROCEED, PlanStatus.PROCEEDED),
    (PatientChoice.PAYMENT_PLAN, PlanStatus.PAYMENT_PLAN_REQUESTED),
])
def test_the_patient_answers_a_sent_or_opened_plan_once(choice, status):
    plan = sent()

    plan.choose(choice, NOW)

    assert plan.status is status
    with pytest.raises(TreatmentPlanConflict):
        plan.choose(PatientChoice.PROCEED, NOW)


def test_the_patient_cannot_answer_a_draft():
    with pytest.raises(TreatmentPlanConflict):
        draft(CROWN).choose(PatientChoice.PROCEED, NOW)


def test_staff_accept_a_payment_plan_only_after_the_patient_asked_for_one():
    plan = sent()
    with pytest.raises(TreatmentPlanConflict):
        plan.accept_payment_plan(NOW)

    plan.choose(PatientChoice.PAYMENT_PLAN, NOW)
    plan.accept_payment_plan(NOW)

    assert plan.status is PlanStatus.PAYMENT_PLAN_ACCEPTED


@pytest.mark.parametrize("before", [PlanStatus.DRAFT, PlanStatus.SENT, PlanStatus.OPENED,
                                    PlanStatus.PAYMENT_PLAN_REQUESTED])
def test_a_plan_is_withdrawn_until_the_patient_proceeded_or_a_payment_plan_was_accepted(before):
    plan = draft(CROWN)
    plan.status = before

    assert plan.withdraw(NOW) is before
    assert plan.status is PlanStatus.WITHDRAWN


@pytest.mark.parametrize("final", [PlanStatus.PROCEEDED, PlanStatus.PAYMENT_PLAN_ACCEPTED,
                                   PlanStatus.WITHDRAWN])
def test_a_plan_the_patient_proceeded_with_or_was_withdrawn_stays_as_it_is(final):
    plan = draft(CROWN)
    plan.status = final

    with pytest.raises(TreatmentPlanConflict):
        plan.withdraw(NOW)
    with pytest.raises(TreatmentPlanConflict):
        plan.send(NOW)


def test_the_practitioner_is_an_active_clinician_of_the_practice():
    def user(category: UserCategory, active: bool = True) -> PracticeUser:
        return PracticeUser(id="u", full_name="Dana Wu", user_type="Dentist", category=category,
                            permissions=frozenset(), permission_version=1, active=active)

    check_practitioner(user(UserCategory.THERAPIST), "u")
    for refused in (None, user(UserCategory.CLERICAL), user(UserCategory.THERAPIST, False)):
        with pytest.raises(InvalidTreatmentPlan):
            check_practitioner(refused, "u")


# --- the patient's link ---------------------------------------------------------------------

def link(**overrides) -> PlanLink:
    return PlanLink(**{"plan_id": "x", "sent_to": "Pat@Example.org",
                       "expires_at": link_expiry(NOW), **overrides})


def test_a_link_token_is_random_and_only_its_hash_is_kept():
    token = new_link_token()

    assert token != new_link_token()
    assert len(hash_link_token(token)) == 64 and token not in hash_link_token(token)


def test_a_link_opens_for_fourteen_days_while_the_plan_waits_for_an_answer():
    assert link().expires_at == NOW + timedelta(days=14)
    assert link_refusal(link(), PlanStatus.SENT, NOW + timedelta(days=13)) is None
    assert link_refusal(link(), PlanStatus.OPENED, NOW) is None
    assert isinstance(link_refusal(link(), PlanStatus.SENT, NOW + timedelta(days=14)),
                      PlanLinkExpired)


@pytest.mark.parametrize(("status", "refusal"), [
    (PlanStatus.WITHDRAWN, PlanWithdrawn), (PlanStatus.PROCEEDED, PlanLinkUsed),
    (PlanStatus.PAYMENT_PLAN_REQUESTED, PlanLinkUsed),
])
def test_a_withdrawn_or_answered_plan_tells_the_patient_to_contact_the_clinic(status, refusal):
    found = link_refusal(link(), status, NOW)

    assert isinstance(found, refusal)
    assert "Contact the clinic" in found.message


def test_a_link_is_locked_after_too_many_wrong_addresses():
    locked = link(wrong_addresses=WRONG_ADDRESSES_BEFORE_LOCK)

    assert isinstance(link_refusal(locked, PlanStatus.SENT, NOW), PlanLinkLocked)


def test_the_address_matches_whatever_its_case_and_surrounding_spaces():
    assert same_address("Pat@Example.org", "  pat@example.ORG ")
    assert not same_address("pat@example.org", "pat@example.com")
