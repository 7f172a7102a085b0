"""The one table from the notes service's refusals to HTTP statuses and error codes."""

from __future__ import annotations

from notes.domain import errors as e
from notes.service_layer.errors import InvalidRequest, NotFoundInPractice
from servicekit.web.errors import ErrorTable

# The status of each family of refusals; every concrete class keeps its own code.
_STATUS_BY_FAMILY: dict[type[e.NotesError], int] = {
    e.PermissionRefused: 403,  # FinalizationRefused too: details name each part that is off
    NotFoundInPractice: 404,
    e.NoteConflict: 409,  # stale version, finalized note
    e.TransactionAlreadyDeleted: 409,
    e.InvalidForwardTarget: 422,
    e.SupervisorUnavailable: 422,
    e.InvalidNote: 422,
    e.InvalidBillingSheet: 422,
    InvalidRequest: 422,
}


def _status_of(cls: type[e.NotesError]) -> int | None:
    for base in cls.__mro__:
        if base in _STATUS_BY_FAMILY:
            return _STATUS_BY_FAMILY[base]
    return None


def _all_subclasses(cls: type) -> list[type]:
    found = [cls]
    for sub in cls.__subclasses__():
        found.extend(_all_subclasses(sub))
    return found


def _error_table() -> ErrorTable:
    import notes.service_layer.errors  # noqa: F401 - registers its subclasses of NotesError

    return {cls: (status, cls.code) for cls in _all_subclasses(e.NotesError)
            if (status := _status_of(cls)) is not None}


ERROR_TABLE: ErrorTable = _error_table()
