"""A note's life: start (draft), edit with a version check, forward, and nothing after signing."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from notes.domain.billing import BillingEntry, build_billing_sheet
from notes.domain.errors import (
    InvalidForwardTarget,
    NoteConflict,
    PermissionRefused,
    StaleNoteVersion,
)
from notes.domain.notes import NoteKind, NoteStatus, SoapText, start_note
from notes.domain.users import UserCategory


def test_therapist_starts_a_draft_note(therapist, start_draft, now):
    note = start_draft(therapist)

    assert note.status is NoteStatus.DRAFT
    assert note.version == 1
    assert note.author_id == therapist.id
    assert note.author_initials == "CD"
    assert note.created_at == now


def test_note_kinds_are_evaluation_daily_progress_and_discharge():
    assert {kind.value for kind in NoteKind} == {
        "initial_evaluation",
        "daily_note",
        "progress_report",
        "discharge",
    }


def test_clerical_users_never_start_notes_even_with_the_permission(make_user, start_draft):
    clerk = make_user(UserCategory.CLERICAL, add=frozenset({"start_notes"}))

    with pytest.raises(PermissionRefused, match="Clerical users do not start notes"):
        start_draft(clerk)


def test_starting_a_note_needs_start_notes(make_user, start_draft):
    therapist = make_user(UserCategory.THERAPIST, remove=frozenset({"start_notes"}))

    with pytest.raises(PermissionRefused) as refused:
        start_draft(therapist)

    assert refused.value.details == {"permission": "start_notes"}


def test_domain_refuses_naive_time(therapist):
    with pytest.raises(ValueError, match="timezone-aware"):
        start_note(
            note_id="n-1",
            patient_id="p-1",
            case_id="c-1",
            kind=NoteKind.DISCHARGE,
            author=therapist,
            date_of_service=date(2025, 3, 14),
            now=datetime(2025, 3, 14, 9, 0),
        )


def test_times_are_kept_in_utc(therapist, start_draft, now):
    note = start_draft(therapist)
    local = now.astimezone(timezone(timedelta(hours=-5)))

    note.revise(therapist, expected_version=1, now=local, soap=SoapText(plan="HEP"))

    assert note.updated_at.tzinfo is not None and note.updated_at.utcoffset() == timedelta(0)


def test_author_edits_draft_and_version_goes_up(assistant, start_draft, now):
    note = start_draft(assistant)
    sheet = build_billing_sheet([BillingEntry("97110", 2)], frozenset({"97110"}))

    note.revise(assistant, expected_version=1, now=now, soap=SoapText(subjective="Pain 3/10"))
    note.revise(assistant, expected_version=2, now=now, billing_sheet=sheet)

    assert note.soap.subjective == "Pain 3/10"
    assert note.billing_sheet == sheet
    assert note.version == 3


def test_supervising_therapist_edits_the_assistants_draft(assistant, therapist, start_draft, now):
    note = start_draft(assistant)

    note.revise(therapist, expected_version=1, now=now, soap=SoapText(plan="Progress HEP"))

    assert note.soap.plan == "Progress HEP"


def test_other_users_cannot_edit_someone_elses_note(assistant, make_user, start_draft, now):
    note = start_draft(assistant)
    other_therapist = make_user(UserCategory.THERAPIST, "Olga Ward")

    with pytest.raises(PermissionRefused, match="author or their supervising therapist"):
        note.revise(other_therapist, expected_version=1, now=now, soap=SoapText())


def test_edit_with_stale_version_is_a_conflict(therapist, start_draft, now):
    note = start_draft(therapist)
    note.revise(therapist, expected_version=1, now=now, soap=SoapText(subjective="first"))

    with pytest.raises(StaleNoteVersion) as conflict:
        note.revise(therapist, expected_version=1, now=now, soap=SoapText(subjective="second"))

    assert conflict.value.details == {"expected_version": 1, "current_version": 2}
    assert "reload it" in conflict.value.message
    assert note.soap.subjective == "first"


def test_assistant_forwards_draft_to_a_supervising_therapist(
    assistant, therapist, start_draft, now
):
    note = start_draft(assistant)

    note.forward(assistant, therapist, expected_version=1, now=now)

    assert note.status is NoteStatus.FORWARDED
    assert note.forwarded_to_id == therapist.id
    assert note.forwarded_at == now
    assert note.version == 2


def test_forwarded_note_is_still_editable_by_author_and_the_named_therapist(
    make_user, start_draft, now
):
    colleague = make_user(UserCategory.THERAPIST, "Olga Ward")
    author = make_user(UserCategory.THERAPIST, "Tom Hale")
    note = start_draft(author)
    note.forward(author, colleague, expected_version=1, now=now)

    note.revise(colleague, expected_version=2, now=now, soap=SoapText(assessment="Improving"))
    note.revise(author, expected_version=3, now=now, soap=SoapText(assessment="Improving well"))

    assert note.soap.assessment == "Improving well"


def test_forwarding_needs_forward_notes(student, therapist, start_draft, now):
    note = start_draft(student)

    with pytest.raises(PermissionRefused, match="forward SOAP notes permission"):
        note.forward(student, therapist, expected_version=1, now=now)
    assert note.status is NoteStatus.DRAFT


@pytest.mark.parametrize(
    "category", [UserCategory.ASSISTANT, UserCategory.STUDENT, UserCategory.CLERICAL]
)
def test_note_is_forwarded_only_to_a_therapist(assistant, make_user, start_draft, now, category):
    note = start_draft(assistant)

    with pytest.raises(InvalidForwardTarget, match="not a therapist"):
        note.forward(assistant, make_user(category), expected_version=1, now=now)


def test_author_cannot_forward_a_note_to_themself(therapist, start_draft, now):
    note = start_draft(therapist)

    with pytest.raises(InvalidForwardTarget):
        note.forward(therapist, therapist, expected_version=1, now=now)


def test_only_the_author_forwards_the_note(assistant, therapist, make_user, start_draft, now):
    note = start_draft(assistant)

    with pytest.raises(PermissionRefused, match="Only the note's author"):
        note.forward(therapist, make_user(UserCategory.THERAPIST), expected_version=1, now=now)


def test_a_forwarded_note_is_not_forwarded_twice_to_the_same_therapist(
    assistant, therapist, start_draft, now
):
    note = start_draft(assistant)
    note.forward(assistant, therapist, expected_version=1, now=now)

    with pytest.raises(NoteConflict, match="already forwarded"):
        note.forward(assistant, therapist, expected_version=2, now=now)
