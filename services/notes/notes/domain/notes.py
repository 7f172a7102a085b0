"""The SOAP note aggregate: draft -> forwarded -> finalized, then addenda only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from notes.domain import access, forwarding
from notes.domain.billing import BillingSheet
from notes.domain.billing_export import BillingExport, BillingIntegration, decide_billing_export
from notes.domain.clock import as_utc
from notes.domain.errors import InvalidNote, NoteConflict
from notes.domain.gate import decide_finalization
from notes.domain.note_parts import Addendum, NoteKind, NoteStatus, SoapText
from notes.domain.signing import FinalizationResult, Signature, sign
from notes.domain.transactions import charges_from_sheet
from notes.domain.users import PracticeUser


@dataclass(kw_only=True)
class Note:
    id: str
    patient_id: str
    case_id: str
    kind: NoteKind
    author_id: str
    author_initials: str
    # The author's supervising therapist when the note was started: they may edit and co-sign.
    supervising_therapist_id: str | None
    date_of_service: date
    created_at: datetime
    updated_at: datetime
    soap: SoapText = field(default_factory=SoapText)
    billing_sheet: BillingSheet = field(default_factory=BillingSheet)
    status: NoteStatus = NoteStatus.DRAFT
    # Bumped by every change, so that two people editing the same note cannot overwrite each other.
    version: int = 1
    forwarded_to_id: str | None = None
    forwarded_at: datetime | None = None
    signature: Signature | None = None
    billing_export: BillingExport | None = None
    addenda: list[Addendum] = field(default_factory=list)
    discarded_at: datetime | None = None
    discarded_by_id: str | None = None

    @property
    def chart_initials(self) -> str | None:
        return self.signature.chart_initials if self.signature else None

    def revise(
        self,
        editor: PracticeUser,
        *,
        expected_version: int,
        now: datetime,
        soap: SoapText | None = None,
        billing_sheet: BillingSheet | None = None,
    ) -> None:
        """Save the author's or supervising therapist's changes to a draft or forwarded note."""
        access.refuse_if_finalized(self)
        access.require_editor(self, editor)
        access.require_version(self, expected_version)
        if soap is not None:
            self.soap = soap
        if billing_sheet is not None:
            self.billing_sheet = billing_sheet
        self._changed(now)

    def forward(
        self, by: PracticeUser, to: PracticeUser, *, expected_version: int, now: datetime
    ) -> str | None:
        """Hand the note to a therapist who co-signs and finalizes it, or to another one.

        Returns the therapist it was forwarded to before (None the first time).
        """
        access.refuse_if_finalized(self)
        access.require_forwarder(self, by)
        access.require_version(self, expected_version)
        forwarding.require_forward_target(self, to)
        previous = self.forwarded_to_id
        self.status = NoteStatus.FORWARDED
        self.forwarded_to_id = to.id
        self.forwarded_at = as_utc(now)
        self._changed(now)
        return previous

    def recall(self, by: PracticeUser, *, expected_version: int, now: datetime) -> str:
        """The author takes a forwarded note back: a draft again, on nobody's list.

        Returns the therapist it was forwarded to.
        """
        access.refuse_if_finalized(self)
        forwarding.require_recaller(self, by)
        access.require_version(self, expected_version)
        recalled_from = self.forwarded_to_id or ""
        self.status = NoteStatus.DRAFT
        self.forwarded_to_id = None
        self.forwarded_at = None
        self._changed(now)
        return recalled_from

    def discard(self, by: PracticeUser, *, expected_version: int, now: datetime) -> bool:
        """Throw away a draft started by mistake; False if it was already discarded.

        The note is kept (status discarded) but leaves the chart. Never a forwarded note (it
        is on a therapist's list: recall it first) nor a finalized one (addenda correct it).
        """
        if self.status is NoteStatus.DISCARDED:
            return False
        access.require_discardable(self)
        access.require_discarder(self, by)
        access.require_version(self, expected_version)
        self.status = NoteStatus.DISCARDED
        self.discarded_at, self.discarded_by_id = as_utc(now), by.id
        self._changed(now)
        return True

    def finalize(
        self,
        by: PracticeUser,
        *,
        expected_version: int,
        clinic_allows_assistants: bool,
        insurance_allows_assistants: bool,
        supervisor: PracticeUser | None,
        billing_integration: BillingIntegration | None,
        now: datetime,
    ) -> FinalizationResult:
        """Sign the note through the finalization gate and charge its billing sheet.

        `supervisor` is the finalizer's supervising therapist (needed when an assistant signs).
        """
        access.refuse_if_finalized(self)
        access.require_finalizer(self, by)
        access.require_version(self, expected_version)
        access.require_gate(
            decide_finalization(by, clinic_allows_assistants, insurance_allows_assistants)
        )
        signed_at = as_utc(now)
        # Work everything out before touching the note, so a refusal leaves it as it was.
        signature = sign(
            author_id=self.author_id,
            author_initials=self.author_initials,
            finalizer=by,
            supervisor=supervisor,
            signed_at=signed_at,
        )
        billing_export = decide_billing_export(by, billing_integration)
        transactions = charges_from_sheet(
            self.billing_sheet,
            note_id=self.id,
            patient_id=self.patient_id,
            case_id=self.case_id,
            date_of_service=self.date_of_service,
            provider_id=by.id,
            now=signed_at,
        )
        self.signature = signature
        self.billing_export = billing_export
        self.status = NoteStatus.FINALIZED
        self._changed(now)
        return FinalizationResult(
            note_id=self.id,
            patient_id=self.patient_id,
            case_id=self.case_id,
            date_of_service=self.date_of_service,
            finalized_by_id=by.id,
            cosigner_id=signature.cosigner_id,
            chart_initials=signature.chart_initials,
            billing_provider_id=billing_export.provider_id,
            billing_export=billing_export,
            transactions=transactions,
            finalized_at=signed_at,
            version=self.version,
        )

    def add_addendum(self, by: PracticeUser, text: str, *, now: datetime) -> Addendum:
        """Correct or add to a finalized note without touching what was signed."""
        if self.status is not NoteStatus.FINALIZED:
            raise NoteConflict(
                "Addenda are only for finalized notes; edit the note itself while it is open.",
                {"status": self.status.value},
            )
        access.require_addendum_writer(self, by)
        if not text.strip():
            raise InvalidNote("Write the addendum's text before saving it.")
        addendum = Addendum(
            text=text, author_id=by.id, author_initials=by.initials, added_at=as_utc(now)
        )
        self.addenda.append(addendum)
        self._changed(now)
        return addendum

    def _changed(self, now: datetime) -> None:
        self.version += 1
        self.updated_at = as_utc(now)


def start_note(
    *,
    note_id: str,
    patient_id: str,
    case_id: str,
    kind: NoteKind,
    author: PracticeUser,
    date_of_service: date,
    now: datetime,
    soap: SoapText | None = None,
) -> Note:
    """Start a draft note; needs start notes, and clerical users never start notes."""
    access.require_note_starter(author)
    started_at = as_utc(now)
    return Note(
        id=note_id,
        patient_id=patient_id,
        case_id=case_id,
        kind=NoteKind(kind),
        author_id=author.id,
        author_initials=author.initials,
        supervising_therapist_id=author.supervising_therapist_id,
        date_of_service=date_of_service,
        created_at=started_at,
        updated_at=started_at,
        soap=soap or SoapText(),
    )
