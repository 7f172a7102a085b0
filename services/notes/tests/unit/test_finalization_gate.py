"""The finalization gate (DOMAIN.md, "Notes"): who may sign a note."""

from __future__ import annotations

import itertools

import pytest

from notes.domain.gate import GateReasonCode, decide_finalization
from notes.domain.users import PracticeUser, UserCategory

CLINIC = GateReasonCode.CLINIC_DISALLOWS_ASSISTANTS
INSURANCE = GateReasonCode.INSURANCE_DISALLOWS_ASSISTANTS
PERMISSION = GateReasonCode.MISSING_FINISH_NOTES


def _assistant(make_user, *, finish_notes: bool) -> PracticeUser:
    return make_user(
        UserCategory.ASSISTANT,
        "Amy Brooks",
        add=frozenset({"finish_notes"}) if finish_notes else frozenset(),
        supervising_therapist_id="therapist-1",
    )


@pytest.mark.parametrize(
    ("clinic_on", "insurance_on", "permission_on"),
    list(itertools.product([True, False], repeat=3)),
)
def test_assistant_finalizes_only_when_clinic_insurance_and_permission_all_allow(
    make_user, clinic_on, insurance_on, permission_on
):
    assistant = _assistant(make_user, finish_notes=permission_on)

    decision = decide_finalization(assistant, clinic_on, insurance_on)

    expected_off = [
        code
        for code, on in (
            (CLINIC, clinic_on),
            (INSURANCE, insurance_on),
            (PERMISSION, permission_on),
        )
        if not on
    ]
    assert decision.allowed is (not expected_off)
    assert [reason.code for reason in decision.reasons] == expected_off
    if expected_off:
        assert "Forward the note to your supervising therapist instead." in decision.message
        for reason in decision.reasons:
            assert reason.message in decision.message


def test_assistant_can_finalize_when_all_three_allow(make_user):
    decision = decide_finalization(_assistant(make_user, finish_notes=True), True, True)

    assert decision.allowed
    assert decision.reasons == ()


def test_assistant_cannot_finalize_when_insurance_disallows(make_user):
    decision = decide_finalization(_assistant(make_user, finish_notes=True), True, False)

    assert not decision.allowed
    assert [r.code for r in decision.reasons] == [INSURANCE]
    assert "insurance does not allow therapist assistants" in decision.message


def test_assistant_cannot_finalize_when_clinic_setting_is_off(make_user):
    decision = decide_finalization(_assistant(make_user, finish_notes=True), False, True)

    assert [r.code for r in decision.reasons] == [CLINIC]
    assert '"assistants may finalize notes" is off' in decision.message


def test_assistant_cannot_finalize_without_finish_notes_permission(make_user):
    decision = decide_finalization(_assistant(make_user, finish_notes=False), True, True)

    assert [r.code for r in decision.reasons] == [PERMISSION]
    assert "finish SOAP notes permission" in decision.message


def test_assistant_refusal_names_every_part_that_is_off(make_user):
    decision = decide_finalization(_assistant(make_user, finish_notes=False), False, False)

    assert decision.message == (
        "You cannot finalize this note: "
        'the clinic setting "assistants may finalize notes" is off; '
        "this case's insurance does not allow therapist assistants to finalize notes; "
        "you do not hold the finish SOAP notes permission. "
        "Forward the note to your supervising therapist instead."
    )


def test_assistant_without_supervising_therapist_cannot_finalize(make_user):
    assistant = make_user(UserCategory.ASSISTANT, add=frozenset({"finish_notes"}))

    decision = decide_finalization(assistant, True, True)

    assert [r.code for r in decision.reasons] == [GateReasonCode.NO_SUPERVISING_THERAPIST]


@pytest.mark.parametrize(("clinic_on", "insurance_on"), [(True, True), (False, False)])
def test_therapist_with_finish_notes_finalizes_whatever_the_assistant_settings(
    make_user, clinic_on, insurance_on
):
    therapist = make_user(UserCategory.THERAPIST)

    assert decide_finalization(therapist, clinic_on, insurance_on).allowed


def test_therapist_without_finish_notes_cannot_finalize(make_user):
    therapist = make_user(UserCategory.THERAPIST, remove=frozenset({"finish_notes"}))

    decision = decide_finalization(therapist, True, True)

    assert not decision.allowed
    assert [r.code for r in decision.reasons] == [PERMISSION]
    assert "Ask a User Manager" in decision.message


@pytest.mark.parametrize(
    ("category", "code"),
    [
        (UserCategory.STUDENT, GateReasonCode.STUDENTS_NEVER_FINALIZE),
        (UserCategory.CLERICAL, GateReasonCode.CLERICAL_NEVER_FINALIZES),
        (UserCategory.AUTOMATION, GateReasonCode.AUTOMATION_NEVER_FINALIZES),
    ],
)
def test_students_clerical_and_automation_never_finalize_even_with_the_permission(
    make_user, category, code
):
    user = make_user(
        category, add=frozenset({"finish_notes"}), supervising_therapist_id="therapist-1"
    )

    decision = decide_finalization(user, True, True)

    assert not decision.allowed
    assert [r.code for r in decision.reasons] == [code]
    assert decision.next_step in decision.message


def test_every_category_has_a_gate_decision(make_user):
    for category in UserCategory:
        user = make_user(category, supervising_therapist_id="therapist-1")
        decision = decide_finalization(user, True, True)
        assert decision.allowed is (category is UserCategory.THERAPIST)
