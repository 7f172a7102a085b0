"""A draft started by mistake is discarded; forwarded and finalized notes are not."""

from __future__ import annotations

from datetime import timedelta

import pytest

from notes.domain.errors import (
    NoteCannotBeDiscarded,
    NoteDiscarded,
    PermissionRefused,
    StaleNoteVersion,
)
from notes.domain.notes import NoteStatus, SoapText
from notes.domain.users import UserCategory

SETTINGS = {"clinic_allows_assistants": True, "insurance_allows_assistants": False,
            "supervisor": None, "billing_integration": None}


def test_the_author_discards_their_draft_and_it_is_kept_as_discarded(therapist, start_draft,
                                                                      now):
    note = start_draft(therapist)

    assert note.discard(therapist, expected_version=1, now=now) is True

    assert note.status is NoteStatus.DISCARDED
    assert (note.discarded_at, note.discarded_by_id, note.version) == (now, therapist.id, 2)


def test_discarding_twice_changes_nothing_the_second_time(therapist, start_draft, now):
    note = start_draft(therapist)
    note.discard(therapist, expected_version=1, now=now)

    again = note.discard(therapist, expected_version=1, now=now + timedelta(hours=1))

    assert again is False
    assert (note.discarded_at, note.version) == (now, 2)


def test_the_supervising_therapist_may_discard_an_assistants_draft_but_nobody_else(
        assistant, therapist, make_user, start_draft, now):
    note = start_draft(assistant)
    colleague = make_user(UserCategory.THERAPIST, "Nora Finch")

    with pytest.raises(PermissionRefused, match="author or their supervising therapist"):
        note.discard(colleague, expected_version=1, now=now)
    assert note.status is NoteStatus.DRAFT

    note.discard(therapist, expected_version=1, now=now)
    assert note.status is NoteStatus.DISCARDED


def test_a_forwarded_note_is_recalled_before_it_is_discarded(assistant, therapist,
                                                             start_draft, now):
    note = start_draft(assistant)
    note.forward(assistant, therapist, expected_version=1, now=now)

    with pytest.raises(NoteCannotBeDiscarded, match="recall it first") as refused:
        note.discard(assistant, expected_version=2, now=now)
    assert refused.value.details["next_step"] == "recall"

    note.recall(assistant, expected_version=2, now=now)
    note.discard(assistant, expected_version=3, now=now)
    assert note.status is NoteStatus.DISCARDED


def test_a_finalized_note_is_never_discarded_add_an_addendum_instead(therapist, start_draft,
                                                                     now):
    note = start_draft(therapist)
    note.finalize(therapist, expected_version=1, now=now, **SETTINGS)

    with pytest.raises(NoteCannotBeDiscarded, match="addendum") as refused:
        note.discard(therapist, expected_version=2, now=now)

    assert refused.value.details["next_step"] == "add_addendum"
    assert note.status is NoteStatus.FINALIZED


def test_a_stale_version_does_not_discard(therapist, start_draft, now):
    note = start_draft(therapist)
    note.revise(therapist, expected_version=1, now=now, soap=SoapText(plan="walk"))

    with pytest.raises(StaleNoteVersion):
        note.discard(therapist, expected_version=1, now=now)
    assert note.status is NoteStatus.DRAFT


def test_a_discarded_draft_is_changed_by_nobody(therapist, start_draft, now):
    note = start_draft(therapist)
    note.discard(therapist, expected_version=1, now=now)

    with pytest.raises(NoteDiscarded, match="start a new note"):
        note.revise(therapist, expected_version=2, now=now, soap=SoapText(plan="walk"))
    with pytest.raises(NoteDiscarded):
        note.finalize(therapist, expected_version=2, now=now, **SETTINGS)
