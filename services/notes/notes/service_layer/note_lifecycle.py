"""SOAP notes from start to signature: one function per use case, each in a unit of work."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from notes.adapters.note_store import NoteStore
from notes.adapters.projection import IdentityProjection
from notes.adapters.records import PracticeRecords
from notes.domain.access import refuse_if_discarded
from notes.domain.billing import BillingEntry, build_billing_sheet
from notes.domain.catalog import UserTypes
from notes.domain.note_parts import NoteKind, SoapText
from notes.domain.notes import Note, start_note
from notes.domain.users import PracticeUser
from notes.events.notes import (
    NOTE_ADDENDUM_ADDED,
    NOTE_DISCARDED,
    NOTE_FINALIZED,
    NOTE_FORWARDED,
    NOTE_STARTED,
    NOTE_UPDATED,
    NOTE_VIEWED,
)
from notes.events.patients import PATIENT_VIEWED
from notes.service_layer.billing_exports import record_billing_export
from notes.service_layer.callers import Caller, load_practice_user
from notes.service_layer.errors import InvalidRequest, NotFoundInPractice
from notes.service_layer.patients import require_patient
from servicekit.db import UnitOfWork
from servicekit.messaging.definitions import EventDefinition
from servicekit.messaging.envelope import Subject


def begin_note(uow: UnitOfWork, caller: Caller, *, case_id: str, kind: str,
               date_of_service: date, soap: SoapText | None, now: datetime) -> Note:
    with uow:
        author = load_practice_user(IdentityProjection(uow.session), caller)
        case = PracticeRecords(uow.session, caller.org_id).case(case_id)
        if case is None:
            raise NotFoundInPractice("There is no such case in your practice.",
                                     {"case_id": case_id})
        note = start_note(note_id=str(uuid.uuid4()), patient_id=case["patient_id"],
                          case_id=case_id, kind=NoteKind(kind), author=author,
                          date_of_service=date_of_service, now=now, soap=soap)
        NoteStore(uow.session).add(caller.org_id, note)
        uow.publish(note_event(NOTE_STARTED, caller, note, {"kind": note.kind.value}))
        uow.commit()
    return note


def read_note(uow: UnitOfWork, caller: Caller, note_id: str) -> Note:
    with uow:
        note = require_note(NoteStore(uow.session), caller, note_id)
        uow.publish(note_event(NOTE_VIEWED, caller, note))
        uow.commit()
    return note


def notes_of_patient(uow: UnitOfWork, caller: Caller, patient_id: str) -> list[Note]:
    with uow:
        require_patient(PracticeRecords(uow.session, caller.org_id), patient_id)
        found = NoteStore(uow.session).of_patient(caller.org_id, patient_id)
        uow.publish(PATIENT_VIEWED.event(
            subject=Subject("patient", patient_id),
            org_id=caller.org_id, actor=caller.actor, patient_id=patient_id,
            data={"section": "notes", "note_ids": [n.id for n in found]}))
        uow.commit()
    return found


def revise_note(uow: UnitOfWork, caller: Caller, note_id: str, *, expected_version: int,
                soap: dict[str, str] | None, billing: Iterable[BillingEntry] | None,
                user_types: UserTypes, now: datetime) -> Note:
    with uow:
        store = NoteStore(uow.session)
        editor = load_practice_user(IdentityProjection(uow.session), caller)
        note = require_note(store, caller, note_id)
        loaded = note.version
        new_soap = SoapText(**{**note.soap.__dict__, **soap}) if soap else None
        sheet = None
        if billing is not None:
            # The codes offered are those of the author's discipline; others are manual.
            author_type = _user_type_of(uow, caller, note.author_id)
            sheet = build_billing_sheet(billing, user_types.offered_codes(author_type))
        note.revise(editor, expected_version=expected_version, now=now, soap=new_soap,
                    billing_sheet=sheet)
        store.save(note, loaded)
        changed = sorted((soap or {}).keys()) + (["billing_sheet"] if sheet else [])
        uow.publish(note_event(NOTE_UPDATED, caller, note, {"changed": changed}))
        uow.commit()
    return note


def forward_note(uow: UnitOfWork, caller: Caller, note_id: str, *, to_user_id: str,
                 expected_version: int, now: datetime) -> Note:
    with uow:
        projection = IdentityProjection(uow.session)
        store = NoteStore(uow.session)
        by = load_practice_user(projection, caller)
        note = require_note(store, caller, note_id)
        to = projection.practice_user(caller.org_id, to_user_id)
        if to is None:
            raise InvalidRequest("Forward the note to a therapist of your own practice.",
                                 {"to_user_id": to_user_id})
        loaded = note.version
        previous = note.forward(by, to, expected_version=expected_version, now=now)
        store.save(note, loaded)
        # previous_forwarded_to_id: the therapist whose list the note left (a re-forward).
        uow.publish(note_event(NOTE_FORWARDED, caller, note,
                               {"forwarded_to_id": to.id,
                                "previous_forwarded_to_id": previous}))
        uow.commit()
    return note


def finalize_note(uow: UnitOfWork, caller: Caller, note_id: str, *, expected_version: int,
                  now: datetime) -> Note:
    """Sign the note through the finalization gate with the clinic's and insurance's settings."""
    with uow:
        projection = IdentityProjection(uow.session)
        records = PracticeRecords(uow.session, caller.org_id)
        store = NoteStore(uow.session)
        by = load_practice_user(projection, caller)
        note = require_note(store, caller, note_id)
        patient = require_patient(records, note.patient_id)
        clinic = projection.clinic(caller.org_id, patient["clinic_id"])
        case = records.case(note.case_id) or {}
        insurance = records.insurance(case.get("insurance_id", "")) or {}
        loaded = note.version
        integration = projection.billing_integration(caller.org_id)
        result = note.finalize(
            by, expected_version=expected_version,
            clinic_allows_assistants=bool(clinic and clinic["assistants_may_finalize"]),
            insurance_allows_assistants=bool(insurance.get("allow_assistants_to_finalize")),
            supervisor=_supervisor(projection, caller, by),
            billing_integration=integration, now=now)
        store.save(note, loaded)
        store.add_charges(caller.org_id, result.transactions)
        export_id = record_billing_export(uow, caller, note, result, integration)
        uow.publish(note_event(NOTE_FINALIZED, caller, note, {
            "finalized_by_id": result.finalized_by_id, "cosigner_id": result.cosigner_id,
            "chart_initials": result.chart_initials,
            "billing_provider_id": result.billing_provider_id,
            "billing_export": {"status": result.billing_export.status.value,
                               "reason": result.billing_export.reason,
                               "export_id": export_id},
            "transaction_ids": [t.id for t in result.transactions],
            "date_of_service": result.date_of_service.isoformat(),
        }))
        uow.commit()
    return note


def add_addendum(uow: UnitOfWork, caller: Caller, note_id: str, *, text: str, now: datetime
                 ) -> Note:
    with uow:
        store = NoteStore(uow.session)
        by = load_practice_user(IdentityProjection(uow.session), caller)
        note = require_note(store, caller, note_id)
        loaded = note.version
        note.add_addendum(by, text, now=now)
        store.save(note, loaded)
        uow.publish(note_event(NOTE_ADDENDUM_ADDED, caller, note,
                           {"addendum_number": len(note.addenda)}))
        uow.commit()
    return note


def discard_note(uow: UnitOfWork, caller: Caller, note_id: str, *, expected_version: int,
                 now: datetime) -> Note:
    """Discard a draft started by mistake; a second discard answers the note as it is."""
    with uow:
        store = NoteStore(uow.session)
        by = load_practice_user(IdentityProjection(uow.session), caller)
        note = _note_in_practice(store, caller, note_id)
        loaded = note.version
        if note.discard(by, expected_version=expected_version, now=now):
            store.save(note, loaded)
            uow.publish(note_event(NOTE_DISCARDED, caller, note))
        uow.commit()
    return note


def require_note(store: NoteStore, caller: Caller, note_id: str) -> Note:
    """The practice's note, still in the chart (410 note_discarded for a discarded draft)."""
    note = _note_in_practice(store, caller, note_id)
    refuse_if_discarded(note)
    return note


def _note_in_practice(store: NoteStore, caller: Caller, note_id: str) -> Note:
    note = store.get(caller.org_id, note_id)
    if note is None:
        raise NotFoundInPractice("There is no such note in your practice.", {"note_id": note_id})
    return note


def _supervisor(projection: IdentityProjection, caller: Caller, by: PracticeUser
                ) -> PracticeUser | None:
    return projection.practice_user(caller.org_id, by.supervising_therapist_id)


def _user_type_of(uow: UnitOfWork, caller: Caller, user_id: str) -> str | None:
    user = IdentityProjection(uow.session).practice_user(caller.org_id, user_id)
    return user.user_type if user else None


def note_event(definition: EventDefinition, caller: Caller, note: Note,
               data: dict[str, Any] | None = None) -> Any:
    return definition.event(subject=Subject("note", note.id), org_id=caller.org_id,
                            actor=caller.actor, patient_id=note.patient_id,
                            data={"case_id": note.case_id, "version": note.version,
                                  "status": note.status.value, **(data or {})})
