"""A finalized note leaves the chart: its PDF, and the billing codes offered on its sheet.

A version's PDF (as signed, then one per addendum) is rendered once, by whoever asks for it
first, and kept in object storage: every later download is a fetch. The render runs outside
any transaction, under a claim (a row with a lease) that others do not wait behind: a request
arriving while it runs is told to come back (202 with Retry-After).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from notes.adapters.note_pdf_records import NotePdfRecords
from notes.adapters.note_store import NoteStore
from notes.adapters.projection import IdentityProjection
from notes.adapters.records import PracticeRecords
from notes.domain.catalog import BillingCodeOffer, UserTypes
from notes.domain.notes import Note
from notes.domain.printout import NotePrintout, print_note, printed_version
from notes.events.notes import NOTE_DOWNLOADED
from notes.service_layer.callers import Caller
from notes.service_layer.note_lifecycle import note_event, require_note
from notes.service_layer.patients import require_patient
from servicekit.db import UnitOfWork

RenderPdf = Callable[[NotePrintout], bytes]


class NotePdfStore(Protocol):
    def key(self, org_id: str, note_id: str, version: int) -> str: ...
    def put(self, key: str, content: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...


@dataclass(frozen=True)
class NotePdfSettings:
    store: NotePdfStore
    render: RenderPdf
    # A claim older than this belongs to a render that died; the next request takes it over.
    lease: timedelta = timedelta(minutes=2)
    retry_after_seconds: int = 2


@dataclass(frozen=True)
class NotePdf:
    patient_id: str
    content: bytes


@dataclass(frozen=True)
class PdfBeingRendered:
    """Someone else's request is rendering this version now: ask again after a moment."""

    retry_after_seconds: int


def download_note_pdf(uow: UnitOfWork, caller: Caller, note_id: str, *,
                      pdfs: NotePdfSettings, now: datetime) -> NotePdf | PdfBeingRendered:
    """The finalized note as a PDF; the download is recorded (committed) before it is sent."""
    with uow:
        note = require_note(NoteStore(uow.session), caller, note_id)
        version = printed_version(note)  # 409 note_not_finalized for a draft
        records = NotePdfRecords(uow.session)
        stored = records.rendered(note.id, version)
        if stored is not None:
            content = pdfs.store.get(stored.object_key)
            _record_download(uow, caller, note, len(content))
            uow.commit()
            return NotePdf(patient_id=note.patient_id, content=content)
        key = pdfs.store.key(caller.org_id, note.id, version)
        if not records.claim(caller.org_id, note.id, version, key, now=now,
                             until=now + pdfs.lease):
            return PdfBeingRendered(pdfs.retry_after_seconds)
        printout = _printout(uow, caller, note)
        uow.commit()
    content = _render_and_store(uow, pdfs, printout, key, note.id, version)
    with uow:
        NotePdfRecords(uow.session).mark_rendered(note.id, version, len(content), now)
        _record_download(uow, caller, note, len(content))
        uow.commit()
    return NotePdf(patient_id=note.patient_id, content=content)


def _render_and_store(uow: UnitOfWork, pdfs: NotePdfSettings, printout: NotePrintout, key: str,
                      note_id: str, version: int) -> bytes:
    try:
        content = pdfs.render(printout)
        pdfs.store.put(key, content)
    except BaseException:
        with uow:  # the next request renders it, without waiting for the lease to run out
            NotePdfRecords(uow.session).release(note_id, version)
            uow.commit()
        raise
    return content


def _printout(uow: UnitOfWork, caller: Caller, note: Note) -> NotePrintout:
    projection = IdentityProjection(uow.session)
    patient = require_patient(PracticeRecords(uow.session, caller.org_id), note.patient_id)
    clinic = projection.clinic(caller.org_id, patient["clinic_id"]) or {}
    signature = note.signature
    people = {note.author_id, *(a.author_id for a in note.addenda)}
    if signature:
        people |= {person for person in (signature.finalized_by_id, signature.cosigner_id)
                   if person is not None}
    names = {user.id: user.full_name for user_id in people
             if (user := projection.practice_user(caller.org_id, user_id)) is not None}
    return print_note(
        note, practice_name=projection.practice_name(caller.org_id),
        clinic_name=clinic.get("name"), time_zone=clinic.get("time_zone"),
        patient_name=f"{patient['first_name']} {patient['last_name']}",
        patient_date_of_birth=patient["date_of_birth"], user_names=names)


def _record_download(uow: UnitOfWork, caller: Caller, note: Note, size_bytes: int) -> None:
    # A download, not a view: audit counts it as one, and the copy may leave the practice.
    uow.publish(note_event(NOTE_DOWNLOADED, caller, note,
                           {"format": "pdf", "size_bytes": size_bytes}))


def billing_codes_for_note(uow: UnitOfWork, caller: Caller, note_id: str, *,
                           user_types: UserTypes) -> BillingCodeOffer:
    """The CPT codes the note's author's discipline bills, as the billing sheet offers them."""
    with uow:
        note = require_note(NoteStore(uow.session), caller, note_id)
        author = IdentityProjection(uow.session).practice_user(caller.org_id, note.author_id)
    return user_types.offer_for(author.user_type if author else None)
