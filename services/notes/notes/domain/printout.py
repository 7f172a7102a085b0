"""What a finalized note's PDF shows: the document the practice shares with the physician.

Only a signed note is printed: a draft or a forwarded note may still change, and a copy of
it in a physician's hands would be a record nobody signed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from notes.domain.billing import BillingLine
from notes.domain.errors import NoteNotFinalized
from notes.domain.note_parts import NoteKind, NoteStatus, SoapText
from notes.domain.notes import Note
from servicekit.local_time import local_time

KIND_TITLES = {
    NoteKind.INITIAL_EVALUATION: "Initial Evaluation",
    NoteKind.DAILY_NOTE: "Daily Note",
    NoteKind.PROGRESS_REPORT: "Progress Report",
    NoteKind.DISCHARGE: "Discharge Summary",
}


@dataclass(frozen=True)
class PrintedAddendum:
    text: str
    author: str
    added_at: datetime


@dataclass(frozen=True)
class NotePrintout:
    """Everything the PDF prints, already in the words the reader sees."""

    note_id: str
    practice_name: str
    clinic_name: str | None
    patient_name: str
    patient_date_of_birth: date
    title: str
    date_of_service: date
    soap: SoapText
    billing_lines: tuple[BillingLine, ...]
    author: str
    signed_by: str
    signed_at: datetime
    # The therapist whose initials stand beside the author's on the chart ("AB/CD").
    cosigner: str | None
    chart_initials: str
    addenda: tuple[PrintedAddendum, ...]
    # The IANA zone of the patient's clinic: every moment printed is its local time.
    time_zone: str = "UTC"

    def local(self, at: datetime) -> str:
        """A moment as the clinic reads it: "7 Dec 2026, 14:05 EST"."""
        return local_time(at, self.time_zone)

    @property
    def signature_line(self) -> str:
        when = self.local(self.signed_at)
        if self.cosigner is None:
            return f"Electronically signed by {self.signed_by} on {when}."
        if self.cosigner == self.signed_by:
            return (f"Written by {self.author}; electronically co-signed by {self.signed_by} "
                    f"on {when}.")
        return (f"Electronically signed by {self.signed_by} on {when}; supervising therapist: "
                f"{self.cosigner}.")


def require_finalized(note: Note) -> None:
    if note.status is not NoteStatus.FINALIZED:
        raise NoteNotFinalized(
            "Only a finalized note can be printed or shared; finalize the note first.",
            {"note_id": note.id, "status": note.status.value},
        )


def printed_version(note: Note) -> int:
    """Which printing of a finalized note this is: 1 as signed, one more per addendum.

    A finalized note changes only by addenda, so a version's PDF never changes once made.
    """
    require_finalized(note)
    return 1 + len(note.addenda)


def print_note(
    note: Note,
    *,
    practice_name: str | None,
    clinic_name: str | None,
    patient_name: str,
    patient_date_of_birth: date,
    user_names: Mapping[str, str],
    time_zone: str | None = None,
) -> NotePrintout:
    """The printout of a finalized note; `user_names` maps user ids to full names.

    A user the notes service has no name for is shown by their chart initials; times are
    shown in ``time_zone`` (the clinic's; UTC when unknown).
    """
    require_finalized(note)
    signature = note.signature
    assert signature is not None  # a finalized note is signed
    author = user_names.get(note.author_id, note.author_initials)
    cosigner = None
    if signature.cosigner_id is not None:
        cosigner = user_names.get(signature.cosigner_id, signature.cosigner_initials or "")
    return NotePrintout(
        note_id=note.id,
        practice_name=practice_name or clinic_name or "Clinic",
        clinic_name=clinic_name if clinic_name != practice_name else None,
        patient_name=patient_name,
        patient_date_of_birth=patient_date_of_birth,
        title=KIND_TITLES[note.kind],
        date_of_service=note.date_of_service,
        soap=note.soap,
        billing_lines=note.billing_sheet.lines,
        author=author,
        signed_by=user_names.get(signature.finalized_by_id, _initials_of_finalizer(note)),
        signed_at=signature.signed_at,
        cosigner=cosigner,
        chart_initials=signature.chart_initials,
        addenda=tuple(
            PrintedAddendum(a.text, user_names.get(a.author_id, a.author_initials), a.added_at)
            for a in note.addenda
        ),
        time_zone=time_zone or "UTC",
    )


def _initials_of_finalizer(note: Note) -> str:
    signature = note.signature
    assert signature is not None
    if signature.finalized_by_id == signature.cosigner_id and signature.cosigner_initials:
        return signature.cosigner_initials
    return signature.author_initials
