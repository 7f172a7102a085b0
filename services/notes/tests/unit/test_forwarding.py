"""Forwarding for co-signature: only to someone who can finalize, again elsewhere, recalled."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from notes.domain.errors import (
    InvalidForwardTarget,
    NoteAlreadyFinalized,
    NoteNotForwarded,
    PermissionRefused,
    StaleNoteVersion,
)
from notes.domain.notes import NoteStatus
from notes.domain.users import UserCategory


def test_a_note_is_not_forwarded_to_a_deactivated_therapist(
    assistant, therapist, start_draft, now
):
    note = start_draft(assistant)

    with pytest.raises(InvalidForwardTarget, match="deactivated") as refused:
        note.forward(assistant, replace(therapist, active=False), expected_version=1, now=now)

    assert refused.value.details["reason"] == "deactivated"
    assert "forward it to another therapist" in refused.value.message
    assert (note.status, note.forwarded_to_id, note.version) == (NoteStatus.DRAFT, None, 1)


def test_a_note_is_not_forwarded_to_a_therapist_who_cannot_finalize(
    assistant, make_user, start_draft, now
):
    note = start_draft(assistant)
    no_finish = make_user(UserCategory.THERAPIST, "Nora Finch", remove=frozenset({"finish_notes"}))

    with pytest.raises(InvalidForwardTarget, match="cannot finalize notes") as refused:
        note.forward(assistant, no_finish, expected_version=1, now=now)

    assert refused.value.details["reason"] == "cannot_finalize"
    assert "ask a User Manager" in refused.value.message
    assert note.status is NoteStatus.DRAFT


def test_refusing_a_non_therapist_names_the_reason(assistant, make_user, start_draft, now):
    note = start_draft(assistant)

    with pytest.raises(InvalidForwardTarget) as refused:
        note.forward(assistant, make_user(UserCategory.ASSISTANT, add=frozenset({"finish_notes"})),
                     expected_version=1, now=now)

    assert refused.value.details["reason"] == "not_a_therapist"


def test_the_author_forwards_a_forwarded_note_to_another_therapist(
    assistant, therapist, make_user, start_draft, now
):
    note = start_draft(assistant)
    note.forward(assistant, therapist, expected_version=1, now=now)
    other = make_user(UserCategory.THERAPIST, "Olga Ward")
    later = now + timedelta(hours=2)

    previous = note.forward(assistant, other, expected_version=2, now=later)

    assert previous == therapist.id
    assert (note.status, note.forwarded_to_id, note.forwarded_at) == (
        NoteStatus.FORWARDED, other.id, later)
    assert note.version == 3


def test_the_first_forward_had_nobody_before(assistant, therapist, start_draft, now):
    assert start_draft(assistant).forward(assistant, therapist, expected_version=1,
                                          now=now) is None


def test_only_the_author_forwards_a_forwarded_note_elsewhere(
    assistant, therapist, make_user, start_draft, now
):
    note = start_draft(assistant)
    note.forward(assistant, therapist, expected_version=1, now=now)

    with pytest.raises(PermissionRefused, match="Only the note's author"):
        note.forward(therapist, make_user(UserCategory.THERAPIST), expected_version=2, now=now)
    assert note.forwarded_to_id == therapist.id


def test_the_author_recalls_a_forwarded_note_as_a_draft(assistant, therapist, start_draft, now):
    note = start_draft(assistant)
    note.forward(assistant, therapist, expected_version=1, now=now)

    recalled_from = note.recall(assistant, expected_version=2, now=now)

    assert recalled_from == therapist.id
    assert (note.status, note.forwarded_to_id, note.forwarded_at) == (NoteStatus.DRAFT, None, None)
    assert note.version == 3


def test_only_the_author_recalls(assistant, therapist, start_draft, now):
    note = start_draft(assistant)
    note.forward(assistant, therapist, expected_version=1, now=now)

    with pytest.raises(PermissionRefused, match="Only the note's author can recall"):
        note.recall(therapist, expected_version=2, now=now)
    assert note.status is NoteStatus.FORWARDED


def test_a_draft_is_not_recalled(therapist, start_draft, now):
    note = start_draft(therapist)

    with pytest.raises(NoteNotForwarded, match="nothing to recall"):
        note.recall(therapist, expected_version=1, now=now)


def test_a_finalized_note_is_not_recalled(assistant, therapist, start_draft, now):
    note = start_draft(assistant)
    note.forward(assistant, therapist, expected_version=1, now=now)
    note.finalize(therapist, expected_version=2, clinic_allows_assistants=True,
                  insurance_allows_assistants=True, supervisor=None, billing_integration=None,
                  now=now)

    with pytest.raises(NoteAlreadyFinalized):
        note.recall(assistant, expected_version=note.version, now=now)


def test_recall_checks_the_version(assistant, therapist, start_draft, now):
    note = start_draft(assistant)
    note.forward(assistant, therapist, expected_version=1, now=now)

    with pytest.raises(StaleNoteVersion):
        note.recall(assistant, expected_version=1, now=now)
    assert note.status is NoteStatus.FORWARDED
