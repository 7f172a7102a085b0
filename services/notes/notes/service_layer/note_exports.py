"""A finalized note leaves the chart: its PDF, and the billing codes offered on its sheet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from notes.adapters.note_store import NoteStore
from notes.adapters.projection import IdentityProjection
from notes.adapters.records import PracticeRecords
from notes.domain.catalog import BillingCodeOffer, UserTypes
from notes.domain.printout import NotePrintout, print_note
from notes.service_layer.callers import Caller
from notes.service_layer.note_lifecycle import note_event, require_note
from notes.service_layer.patients import require_patient
from servicekit.db import UnitOfWork

RenderPdf = Callable[[NotePrintout], bytes]


@dataclass(frozen=True)
class NotePdf:
    patient_id: str
    content: bytes


def download_note_pdf(uow: UnitOfWork, caller: Caller, note_id: str, *, render: RenderPdf
                      ) -> NotePdf:
    """The finalized note as a PDF; the download is recorded (committed) before it is sent."""
    with uow:
        projection = IdentityProjection(uow.session)
        records = PracticeRecords(uow.session, caller.org_id)
        note = require_note(NoteStore(uow.session), caller, note_id)
        patient = require_patient(records, note.patient_id)
        clinic = projection.clinic(caller.org_id, patient["clinic_id"]) or {}
        signature = note.signature
        people = {note.author_id, *(a.author_id for a in note.addenda)}
        if signature:
            people |= {signature.finalized_by_id, signature.cosigner_id}
        names = {user.id: user.full_name for user_id in people
                 if (user := projection.practice_user(caller.org_id, user_id)) is not None}
        printout = print_note(
            note, practice_name=projection.practice_name(caller.org_id),
            clinic_name=clinic.get("name"), time_zone=clinic.get("time_zone"),
            patient_name=f"{patient['first_name']} {patient['last_name']}",
            patient_date_of_birth=patient["date_of_birth"], user_names=names)
        pdf = render(printout)
        # A download, not a view: audit counts it as one, and the copy may leave the practice.
        uow.publish(note_event("notes.note.downloaded", caller, note,
                               {"format": "pdf", "size_bytes": len(pdf)}))
        uow.commit()
    return NotePdf(patient_id=note.patient_id, content=pdf)


def billing_codes_for_note(uow: UnitOfWork, caller: Caller, note_id: str, *,
                           user_types: UserTypes) -> BillingCodeOffer:
    """The CPT codes the note's author's discipline bills, as the billing sheet offers them."""
    with uow:
        note = require_note(NoteStore(uow.session), caller, note_id)
        author = IdentityProjection(uow.session).practice_user(caller.org_id, note.author_id)
    return user_types.offer_for(author.user_type if author else None)
