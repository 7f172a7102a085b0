"""The finalization gate as properties over every user, permission set and switch setting."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from notes.domain.gate import GateReasonCode, decide_finalization
from notes.domain.users import Permission, PracticeUser, UserCategory

NEVER_SIGN = {
    UserCategory.STUDENT: GateReasonCode.STUDENTS_NEVER_FINALIZE,
    UserCategory.CLERICAL: GateReasonCode.CLERICAL_NEVER_FINALIZES,
    UserCategory.AUTOMATION: GateReasonCode.AUTOMATION_NEVER_FINALIZES,
}



def users_of(*categories: UserCategory) -> st.SearchStrategy[PracticeUser]:
    """Users of these categories holding any set of permissions, supervised or not."""
    return st.builds(
        PracticeUser,
        id=st.uuids().map(str),
        full_name=st.sampled_from(["Amy Brooks", "Carol Dunn", "Sam Stone", "Ana de la Cruz"]),
        user_type=st.sampled_from(["PT", "PTA", "SPT", "Front Office", "Automation"]),
        category=st.sampled_from(categories or list(UserCategory)),
        permissions=st.frozensets(st.sampled_from([p.value for p in Permission])),
        permission_version=st.integers(min_value=0, max_value=10_000),
        supervising_therapist_id=st.none() | st.uuids().map(str),
    )


users = users_of()
switch = st.booleans()


@given(users_of(UserCategory.ASSISTANT), switch, switch)
def test_an_assistant_signs_iff_clinic_insurance_permission_and_supervisor_all_allow(
    user, clinic_on, insurance_on
):
    decision = decide_finalization(user, clinic_on, insurance_on)

    all_on = (clinic_on and insurance_on and user.holds(Permission.FINISH_NOTES)
              and user.supervising_therapist_id is not None)
    assert decision.allowed is all_on
    named = {reason.code for reason in decision.reasons}
    assert (GateReasonCode.CLINIC_DISALLOWS_ASSISTANTS in named) is (not clinic_on)
    assert (GateReasonCode.INSURANCE_DISALLOWS_ASSISTANTS in named) is (not insurance_on)
    assert (GateReasonCode.MISSING_FINISH_NOTES in named) is (
        not user.holds(Permission.FINISH_NOTES))
    assert (GateReasonCode.NO_SUPERVISING_THERAPIST in named) is (
        user.supervising_therapist_id is None)


@given(users_of(*NEVER_SIGN), switch, switch)
def test_students_clerical_and_automation_never_sign_whatever_they_hold(
    user, clinic_on, insurance_on
):
    decision = decide_finalization(user, clinic_on, insurance_on)

    assert not decision.allowed
    assert [reason.code for reason in decision.reasons] == [NEVER_SIGN[user.category]]


@given(users_of(UserCategory.THERAPIST), switch, switch)
def test_a_therapist_signs_iff_holding_finish_notes_whatever_the_assistant_switches(
    user, clinic_on, insurance_on
):
    decision = decide_finalization(user, clinic_on, insurance_on)

    assert decision.allowed is user.holds(Permission.FINISH_NOTES)


@given(users, switch, switch)
def test_a_refusal_names_every_reason_and_a_next_step_and_an_approval_none(
    user, clinic_on, insurance_on
):
    decision = decide_finalization(user, clinic_on, insurance_on)

    if decision.allowed:
        assert decision.reasons == ()
        return
    assert decision.reasons and decision.next_step
    for reason in decision.reasons:
        assert reason.message in decision.message
    assert decision.next_step in decision.message


@given(users, switch, switch)
def test_turning_a_switch_on_never_takes_away_a_signature(user, clinic_on, insurance_on):
    before = decide_finalization(user, clinic_on, insurance_on).allowed

    assert decide_finalization(user, True, insurance_on).allowed >= before
    assert decide_finalization(user, clinic_on, True).allowed >= before
