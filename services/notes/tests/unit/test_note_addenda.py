"""A finalized note is never edited: every change is refused, corrections are addenda."""

from __future__ import annotations

import pytest

from notes.domain.errors import InvalidNote, NoteAlreadyFinalized, NoteConflict, PermissionRefused
from notes.domain.notes import NoteStatus, SoapText
from notes.domain.users import UserCategory

SETTINGS = {
    "clinic_allows_assistants": True,
    "insurance_allows_assistants": False,
    "supervisor": None,
    "billing_integration": None,
}


def test_any_change_to_a_finalized_note_is_a_conflict_add_an_addendum_instead(
    therapist, start_draft, now
):
    note = start_draft(therapist)
    note.finalize(therapist, expected_version=1, now=now, **SETTINGS)
    attempts = [
        lambda: note.revise(therapist, expected_version=2, now=now, soap=SoapText(plan="x")),
        lambda: note.forward(therapist, therapist, expected_version=2, now=now),
        lambda: note.finalize(therapist, expected_version=2, now=now, **SETTINGS),
    ]

    for attempt in attempts:
        with pytest.raises(NoteAlreadyFinalized, match="add an addendum instead"):
            attempt()
    assert note.version == 2


def test_addendum_is_added_to_a_finalized_note(therapist, start_draft, now):
    note = start_draft(therapist)
    note.finalize(therapist, expected_version=1, now=now, **SETTINGS)
    signed_soap = note.soap

    addendum = note.add_addendum(therapist, "Patient called: pain resolved.", now=now)

    assert note.addenda == [addendum]
    assert addendum.author_initials == "CD"
    assert note.soap == signed_soap
    assert note.status is NoteStatus.FINALIZED


def test_addenda_only_on_finalized_notes(therapist, start_draft, now):
    note = start_draft(therapist)

    with pytest.raises(NoteConflict, match="only for finalized notes"):
        note.add_addendum(therapist, "Too early", now=now)


def test_addendum_needs_text_and_someone_who_worked_on_the_note(
    therapist, make_user, start_draft, now
):
    note = start_draft(therapist)
    note.finalize(therapist, expected_version=1, now=now, **SETTINGS)

    with pytest.raises(PermissionRefused):
        note.add_addendum(make_user(UserCategory.THERAPIST, "Olga Ward"), "Not mine", now=now)
    with pytest.raises(InvalidNote, match="addendum's text"):
        note.add_addendum(therapist, "   ", now=now)
