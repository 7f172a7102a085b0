"""Domain errors of the notes service.

Each error has a stable `code` (the API's error table maps codes to HTTP statuses), a
message that tells the person what to do next, and a `details` dict for the client.
"""

from __future__ import annotations

from typing import Any


class NotesError(Exception):
    """Base of every rule the notes domain refuses to break."""

    code = "notes_error"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})


class PermissionRefused(NotesError):
    """The user may not do this (403)."""

    code = "permission_refused"


class FinalizationRefused(PermissionRefused):
    """The finalization gate said no; `details["reasons"]` lists every part that is off (403)."""

    code = "finalization_refused"


class NoteConflict(NotesError):
    """The note's state does not allow this change (409)."""

    code = "note_conflict"


class StaleNoteVersion(NoteConflict):
    """Someone saved the note since this user loaded it (409)."""

    code = "stale_note_version"


class NoteAlreadyFinalized(NoteConflict):
    """A finalized note is never edited; corrections are addenda (409)."""

    code = "note_finalized"


class NoteNotForwarded(NoteConflict):
    """Only a note waiting for a co-signature can be recalled (409)."""

    code = "note_not_forwarded"


class NoteCannotBeDiscarded(NoteConflict):
    """409: only a draft can be discarded; a forwarded note is recalled first, a finalized
    one is corrected with an addendum."""

    code = "note_cannot_be_discarded"


class NoteDiscarded(NotesError):
    """410: the draft was discarded; it stays stored but is no longer part of the chart."""

    code = "note_discarded"


class CaseInsuranceLocked(NotesError):
    """409: the case has finalized notes, billed under its insurance; open a new case."""

    code = "case_insurance_locked"


class InvalidForwardTarget(NotesError):
    """A note goes only to an active therapist, not its author, who may finalize it (422);
    `details["reason"]` says which part is off."""

    code = "invalid_forward_target"


class SupervisorUnavailable(NotesError):
    """An assistant's note needs a supervising therapist to co-sign, and there is none (422)."""

    code = "supervisor_unavailable"


class InvalidNote(NotesError):
    """The note's content breaks a rule, e.g. an empty addendum (422)."""

    code = "invalid_note"


class InvalidBillingSheet(NotesError):
    """A billing line has a bad code, units or modifiers; `details["lines"]` says which (422)."""

    code = "invalid_billing_sheet"


class TransactionAlreadyDeleted(NotesError):
    """The patient transaction was already deleted (409)."""

    code = "transaction_already_deleted"


class NoteNotFinalized(NoteConflict):
    """Only a signed note is printed or shared; a draft or forwarded one is not yet (409)."""

    code = "note_not_finalized"


class HeldNotesRefused(PermissionRefused):
    """403: only billing staff (and User Managers) list the notes held back from billing."""

    code = "held_notes_refused"


class PermissionRequired(PermissionRefused):
    """403: the caller's profile lacks a permission the action needs (details.missing)."""

    code = "permission_required"


class AdminOnly(PermissionRefused):
    """403: in a dental practice only an Admin (manage_users) edits a patient's record."""

    code = "admin_only"


class TreatmentPlanConflict(NotesError):
    """409: the treatment plan's status does not allow this (details.status says which)."""

    code = "treatment_plan_conflict"


class StaleTreatmentPlanVersion(TreatmentPlanConflict):
    """409: someone saved the draft plan since this user loaded it."""

    code = "stale_treatment_plan_version"


class InvalidTreatmentPlan(NotesError):
    """422: an item, the practitioner or the patient's address is not usable for the plan."""

    code = "invalid_treatment_plan"


class PlanLinkUnusable(NotesError):
    """410: the patient's link no longer opens the plan; the page says to contact the clinic."""

    code = "plan_link_unusable"


class PlanLinkExpired(PlanLinkUnusable):
    code = "plan_link_expired"


class PlanLinkUsed(PlanLinkUnusable):
    """The patient already answered (or a newer link replaced this one)."""

    code = "plan_link_used"


class PlanWithdrawn(PlanLinkUnusable):
    code = "plan_withdrawn"


class PlanLinkLocked(PlanLinkUnusable):
    """Too many wrong email addresses were typed for this link."""

    code = "plan_link_locked"
