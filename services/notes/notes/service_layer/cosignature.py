"""Co-signature work: a therapist's list of notes awaiting them, and the author's recall."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from notes.adapters.note_store import NoteStore
from notes.adapters.projection import IdentityProjection
from notes.domain.notes import Note
from notes.events.notes import NOTE_RECALLED
from notes.events.patients import PATIENT_VIEWED
from notes.service_layer.callers import Caller, load_practice_user
from notes.service_layer.note_lifecycle import note_event, require_note
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject

#: `data.section` of the access events the list emits.
SECTION = "awaiting_cosignature"


def notes_awaiting_cosignature(uow: UnitOfWork, caller: Caller, *, page: int, page_size: int
                               ) -> tuple[list[Note], int]:
    """The notes forwarded to the caller for co-signature, longest waiting first.

    The page shows patients' clinical notes, so each patient on it gets an access event.
    """
    with uow:
        found, total = NoteStore(uow.session).awaiting_cosignature(
            caller.org_id, caller.user_id, offset=(page - 1) * page_size, limit=page_size)
        by_patient: dict[str, list[str]] = defaultdict(list)
        for note in found:
            by_patient[note.patient_id].append(note.id)
        for patient_id, note_ids in by_patient.items():
            uow.publish(PATIENT_VIEWED.event(
                subject=Subject("patient", patient_id),
                org_id=caller.org_id, actor=caller.actor, patient_id=patient_id,
                data={"section": SECTION, "note_ids": note_ids,
                      "record_count": len(note_ids)}))
        uow.commit()
    return found, total


def recall_note(uow: UnitOfWork, caller: Caller, note_id: str, *, expected_version: int,
                now: datetime) -> Note:
    """The author takes a forwarded note back as a draft; it leaves the therapist's list."""
    with uow:
        store = NoteStore(uow.session)
        by = load_practice_user(IdentityProjection(uow.session), caller)
        note = require_note(store, caller, note_id)
        loaded = note.version
        recalled_from = note.recall(by, expected_version=expected_version, now=now)
        store.save(note, loaded)
        uow.publish(note_event(NOTE_RECALLED, caller, note,
                               {"recalled_from_id": recalled_from}))
        uow.commit()
    return note
