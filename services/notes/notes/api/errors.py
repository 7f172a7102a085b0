"""The one table from the notes service's refusals to HTTP statuses and error codes."""

from __future__ import annotations

from notes.domain import errors as e
from notes.service_layer.errors import (
    InvalidRequest,
    NotePdfUnavailable,
    NotFoundInPractice,
    PlanLinkUnknown,
    PlanMailUnavailable,
)
from servicekit.web.errors import ErrorTable, error_table_by_family

# The status of each family of refusals; every concrete class keeps its own code.
_STATUS_BY_FAMILY: dict[type[e.NotesError], int] = {
    e.PermissionRefused: 403,  # FinalizationRefused too: details name each part that is off
    NotFoundInPractice: 404,
    e.NoteConflict: 409,  # stale version, finalized note
    e.TransactionAlreadyDeleted: 409,
    e.NoteDiscarded: 410,
    e.CaseInsuranceLocked: 409,
    e.InvalidForwardTarget: 422,
    e.SupervisorUnavailable: 422,
    e.InvalidNote: 422,
    e.InvalidBillingSheet: 422,
    InvalidRequest: 422,
    e.TreatmentPlanConflict: 409,  # its status does not allow it; stale version
    e.InvalidTreatmentPlan: 422,
    e.PlanLinkUnusable: 410,  # the patient pages show these as pages
    PlanLinkUnknown: 404,
    PlanMailUnavailable: 503,
    NotePdfUnavailable: 503,
}


def _error_table() -> ErrorTable:
    import notes.service_layer.errors  # noqa: F401 - registers its subclasses of NotesError

    return error_table_by_family(e.NotesError, _STATUS_BY_FAMILY)


ERROR_TABLE: ErrorTable = _error_table()
