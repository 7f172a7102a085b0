"""Signatures on the chart: who finalized a note, who co-signed it, and what the chart shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from notes.domain.billing_export import BillingExport
from notes.domain.errors import SupervisorUnavailable
from notes.domain.transactions import PatientTransaction
from notes.domain.users import PracticeUser, UserCategory


@dataclass(frozen=True)
class Signature:
    finalized_by_id: str
    author_initials: str
    signed_at: datetime
    cosigner_id: str | None = None
    cosigner_initials: str | None = None

    @property
    def chart_initials(self) -> str:
        """ "AB/CD" (author/co-signing therapist) for a co-signed note, "CD" for one signer."""
        if self.cosigner_initials is None:
            return self.author_initials
        return f"{self.author_initials}/{self.cosigner_initials}"


@dataclass(frozen=True)
class FinalizationResult:
    """What finalizing produced: the facts the `notes.note.finalized` event carries."""

    note_id: str
    patient_id: str
    case_id: str
    date_of_service: date
    finalized_by_id: str
    cosigner_id: str | None
    chart_initials: str
    billing_provider_id: str | None
    billing_export: BillingExport
    transactions: tuple[PatientTransaction, ...]
    finalized_at: datetime
    version: int


def sign(
    *,
    author_id: str,
    author_initials: str,
    finalizer: PracticeUser,
    supervisor: PracticeUser | None,
    signed_at: datetime,
) -> Signature:
    """Sign as `finalizer`; a therapist co-signs every note not written by a therapist alone."""
    if finalizer.id != author_id:
        # A therapist finalizing someone else's note (forwarded to them, or their student's or
        # assistant's draft) co-signs it.
        return Signature(
            finalized_by_id=finalizer.id,
            author_initials=author_initials,
            signed_at=signed_at,
            cosigner_id=finalizer.id,
            cosigner_initials=finalizer.initials,
        )
    if finalizer.category is UserCategory.ASSISTANT:
        cosigner = _supervising_therapist(finalizer, supervisor)
        return Signature(
            finalized_by_id=finalizer.id,
            author_initials=author_initials,
            signed_at=signed_at,
            cosigner_id=cosigner.id,
            cosigner_initials=cosigner.initials,
        )
    return Signature(
        finalized_by_id=finalizer.id, author_initials=author_initials, signed_at=signed_at
    )


def _supervising_therapist(
    assistant: PracticeUser, supervisor: PracticeUser | None
) -> PracticeUser:
    details = {"supervising_therapist_id": assistant.supervising_therapist_id}
    if supervisor is None or supervisor.id != assistant.supervising_therapist_id:
        raise SupervisorUnavailable(
            "Your supervising therapist could not be found to co-sign this note; ask a User "
            "Manager to check your supervising therapist, or forward the note to a therapist.",
            details,
        )
    if supervisor.category is not UserCategory.THERAPIST:
        raise SupervisorUnavailable(
            f"Your supervisor on record, {supervisor.full_name}, is not a therapist and cannot "
            "co-sign; ask a User Manager to assign a supervising therapist, or forward the "
            "note to a therapist.",
            details,
        )
    return supervisor
