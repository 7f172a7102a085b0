"""Practitioner records an Admin keeps by hand, as the practice management system lists
them, so that a new member can be linked to the record that is already theirs.

A new or renamed record follows the rule a new record at an invitation follows: a name that
matches another record or an open invitation's new one waits for the Admin to confirm a
different person. A record someone is linked to, or an open invitation names, stays: their
notes and schedule point to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from identity.domain.errors import (
    InvalidRequest,
    PractitionerDecisionRequired,
    PractitionerInUse,
)
from identity.domain.practitioners import (
    Candidate,
    PendingPractitioner,
    Practitioner,
    candidates_body,
    namesakes,
)
from identity.domain.roles import ClinicalRole

NAMESAKE = ("A practitioner with this name already exists in your practice, or an open "
            "invitation will create one. Use that record (GET /practitioners), or confirm "
            "that this is a different person (confirm_new_practitioner: true).")


@dataclass(frozen=True)
class RecordName:
    """A record's name, spaces tidied, and whether someone confirmed a different person."""

    name: str
    confirmed_different_person: bool


def record_name(name: str, practitioners: Iterable[Practitioner],
                pending: Iterable[PendingPractitioner] = (), *, confirm: bool = False,
                record_id: str | None = None) -> RecordName:
    """The name for a new record, or ``record_id``'s new name; a namesake waits for
    ``confirm`` (409 with the candidates)."""
    tidy = " ".join(name.split())
    if not tidy:
        raise InvalidRequest("Give the practitioner's name.", {"field": "name"})
    matches = _others(namesakes(tidy, practitioners, pending), record_id)
    if matches and not confirm:
        raise PractitionerDecisionRequired(
            NAMESAKE, {"possible_duplicates": candidates_body(matches)})
    return RecordName(tidy, bool(matches))


def require_own_clinical_role(record: Practitioner, clinical_role: ClinicalRole | None
                              ) -> None:
    """A linked record shows its user's clinical role: only a free record keeps its own."""
    if clinical_role is not None and record.linked:
        raise InvalidRequest(
            f"The practitioner record {record.name} is linked to a user: it shows the "
            "clinical role they joined with. Change only its name here.",
            {"field": "clinical_role"})


def require_removable(record: Practitioner) -> None:
    """Only a free record nobody is invited to is removed."""
    if record.linked:
        raise PractitionerInUse(
            f"A user is linked to the practitioner record {record.name}: their notes and "
            "schedule point to it, so it stays. Rename it (PATCH) if the name is wrong.",
            {"practitioner_id": record.id, "linked": True})
    if record.invitation_id is not None:
        raise PractitionerInUse(
            f"An open invitation will link the practitioner record {record.name}. Revoke "
            "that invitation first (POST /invitations/{id}/revoke), then remove the record.",
            {"practitioner_id": record.id, "invitation_id": record.invitation_id})


def _others(matches: tuple[Candidate, ...], record_id: str | None) -> tuple[Candidate, ...]:
    return tuple(c for c in matches if not (c.kind == "practitioner" and c.id == record_id))
