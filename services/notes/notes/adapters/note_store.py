"""Notes and their addenda and charges, loaded into and saved from the domain's Note."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from notes.adapters.tables import addenda, notes, transactions
from notes.domain.billing import BillingLine, BillingSheet
from notes.domain.billing_export import BillingExport, BillingExportStatus
from notes.domain.errors import StaleNoteVersion
from notes.domain.note_parts import Addendum, NoteKind, NoteStatus, SoapText
from notes.domain.notes import Note
from notes.domain.signing import Signature
from notes.domain.transactions import PatientTransaction
from servicekit.db import rowcount


class NoteStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, org_id: str, note_id: str) -> Note | None:
        row = self.session.execute(
            select(notes).where(notes.c.id == note_id, notes.c.org_id == org_id)
        ).mappings().first()
        if row is None:
            return None
        added = self.session.execute(
            select(addenda).where(addenda.c.note_id == note_id).order_by(addenda.c.id)
        ).mappings().all()
        return _note(row, [Addendum(a["text"], a["author_id"], a["author_initials"],
                                    a["added_at"]) for a in added])

    def of_patient(self, org_id: str, patient_id: str) -> list[Note]:
        """The patient's chart: every note but the discarded drafts."""
        ids = self.session.execute(
            select(notes.c.id).where(notes.c.org_id == org_id, notes.c.patient_id == patient_id,
                                     notes.c.status != NoteStatus.DISCARDED.value)
            .order_by(notes.c.date_of_service.desc(), notes.c.created_at.desc())
        ).scalars().all()
        return [note for note_id in ids if (note := self.get(org_id, note_id)) is not None]

    def awaiting_cosignature(self, org_id: str, user_id: str, *, offset: int, limit: int
                             ) -> tuple[list[Note], int]:
        """The notes forwarded to the user and not yet signed, longest waiting first."""
        where = (notes.c.org_id == org_id, notes.c.forwarded_to_id == user_id,
                 notes.c.status == NoteStatus.FORWARDED.value)
        total = self.session.execute(
            select(func.count()).select_from(notes).where(*where)).scalar_one()
        ids = self.session.execute(
            select(notes.c.id).where(*where).order_by(notes.c.forwarded_at, notes.c.id)
            .offset(offset).limit(limit)).scalars().all()
        return [note for note_id in ids if (note := self.get(org_id, note_id)) is not None], total

    def has_finalized_note(self, org_id: str, case_id: str) -> bool:
        return self.session.execute(
            select(notes.c.id).where(notes.c.org_id == org_id, notes.c.case_id == case_id,
                                     notes.c.status == NoteStatus.FINALIZED.value).limit(1)
        ).first() is not None

    def add(self, org_id: str, note: Note) -> None:
        self.session.execute(notes.insert().values(id=note.id, org_id=org_id, **_columns(note)))

    def save(self, note: Note, loaded_version: int) -> None:
        """Write the note back, unless someone else saved it since it was loaded."""
        saved = self.session.execute(
            update(notes).where(notes.c.id == note.id, notes.c.version == loaded_version)
            .values(**_columns(note))
        )
        if rowcount(saved) != 1:
            raise StaleNoteVersion(
                "Someone saved this note at the same moment; reload it and try again.",
                {"expected_version": loaded_version})
        stored = self.session.execute(
            select(addenda.c.id).where(addenda.c.note_id == note.id)).all()
        for addendum in note.addenda[len(stored):]:
            self.session.execute(addenda.insert().values(
                note_id=note.id, text=addendum.text, author_id=addendum.author_id,
                author_initials=addendum.author_initials, added_at=addendum.added_at))

    def add_charges(self, org_id: str, charges: tuple[PatientTransaction, ...]) -> None:
        for charge in charges:
            self.session.execute(transactions.insert().values(
                id=charge.id, org_id=org_id, note_id=charge.note_id,
                patient_id=charge.patient_id, case_id=charge.case_id, code=charge.code,
                units=charge.units, modifiers=list(charge.modifiers), manual=charge.manual,
                date_of_service=charge.date_of_service, provider_id=charge.provider_id,
                created_at=charge.created_at))


def sheet_to_json(sheet: BillingSheet) -> list[dict[str, Any]]:
    return [{"code": line.code, "units": line.units, "modifiers": list(line.modifiers),
             "manual": line.manual} for line in sheet.lines]


def _columns(note: Note) -> dict[str, Any]:
    signature, export = note.signature, note.billing_export
    return {
        "patient_id": note.patient_id, "case_id": note.case_id, "kind": note.kind.value,
        "status": note.status.value, "version": note.version,
        "date_of_service": note.date_of_service, "subjective": note.soap.subjective,
        "objective": note.soap.objective, "assessment": note.soap.assessment,
        "plan": note.soap.plan, "billing_sheet": sheet_to_json(note.billing_sheet),
        "author_id": note.author_id, "author_initials": note.author_initials,
        "supervising_therapist_id": note.supervising_therapist_id,
        "forwarded_to_id": note.forwarded_to_id, "forwarded_at": note.forwarded_at,
        "finalized_by_id": signature.finalized_by_id if signature else None,
        "cosigner_id": signature.cosigner_id if signature else None,
        "cosigner_initials": signature.cosigner_initials if signature else None,
        "chart_initials": note.chart_initials,
        "finalized_at": signature.signed_at if signature else None,
        "billing_export_status": export.status.value if export else None,
        "billing_provider_id": export.provider_id if export else None,
        "billing_export_reason": export.reason if export else None,
        "created_at": note.created_at, "updated_at": note.updated_at,
        "discarded_at": note.discarded_at, "discarded_by_id": note.discarded_by_id,
    }


def _note(row: Any, added: list[Addendum]) -> Note:
    signature = None
    if row["finalized_by_id"] is not None:
        signature = Signature(
            finalized_by_id=row["finalized_by_id"], author_initials=row["author_initials"],
            signed_at=row["finalized_at"], cosigner_id=row["cosigner_id"],
            cosigner_initials=row["cosigner_initials"])
    export = None
    if row["billing_export_status"] is not None:
        export = BillingExport(BillingExportStatus(row["billing_export_status"]),
                               row["billing_provider_id"], row["billing_export_reason"])
    sheet = BillingSheet(tuple(
        BillingLine(line["code"], line["units"], tuple(line["modifiers"]), line["manual"])
        for line in row["billing_sheet"]))
    return Note(
        id=row["id"], patient_id=row["patient_id"], case_id=row["case_id"],
        kind=NoteKind(row["kind"]), author_id=row["author_id"],
        author_initials=row["author_initials"],
        supervising_therapist_id=row["supervising_therapist_id"],
        date_of_service=row["date_of_service"], created_at=row["created_at"],
        updated_at=row["updated_at"],
        soap=SoapText(row["subjective"], row["objective"], row["assessment"], row["plan"]),
        billing_sheet=sheet, status=NoteStatus(row["status"]), version=row["version"],
        forwarded_to_id=row["forwarded_to_id"], forwarded_at=row["forwarded_at"],
        signature=signature, billing_export=export, addenda=added,
        discarded_at=row["discarded_at"], discarded_by_id=row["discarded_by_id"],
    )
