"""Linking a practitioner user to a practitioner record, without making duplicates.

A new record whose name matches (ignoring case and spacing) an existing record, linked to
someone or not, or another open invitation that will create a record with that name, is
held back: the Admin (or the invitee) either picks the existing record or confirms that
the new one is a different person. A silent duplicate would split that person's patients
and schedule. A record already linked to another user is never linked a second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from identity.domain.errors import (
    InvalidRequest,
    PractitionerAlreadyLinked,
    PractitionerDecisionRequired,
)

RECORD, INVITATION = "practitioner", "invitation"


@dataclass(frozen=True)
class Practitioner:
    id: str
    name: str
    user_id: str | None = None  # the user this record is, once linked
    invitation_id: str | None = None  # an open invitation that will link it

    @property
    def linked(self) -> bool:
        return self.user_id is not None


@dataclass(frozen=True)
class PendingPractitioner:
    """An open invitation that will create a record with this name when accepted."""

    invitation_id: str
    name: str


@dataclass(frozen=True)
class Candidate:
    """What a new record might duplicate: a record, or another open invitation's new one."""

    kind: str  # RECORD or INVITATION
    id: str  # the record's id, or the invitation's
    name: str
    linked: bool
    invited: bool


@dataclass(frozen=True)
class PractitionerLink:
    """Exactly one of: link to ``existing_id``, or create a record named ``new_name``.

    ``confirmed``: someone said the new record is a different person from its namesakes."""

    existing_id: str | None = None
    new_name: str | None = None
    confirmed: bool = False


@dataclass(frozen=True)
class PractitionerChoice:
    link: PractitionerLink | None
    possible_duplicates: tuple[Candidate, ...] = ()

    @property
    def needs_decision(self) -> bool:
        return self.link is None


def same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def namesakes(full_name: str, practitioners: Iterable[Practitioner],
              pending: Iterable[PendingPractitioner] = ()) -> tuple[Candidate, ...]:
    """The records and open invitations a new record with this name might duplicate."""
    records = tuple(
        Candidate(RECORD, p.id, p.name, p.linked, p.invitation_id is not None)
        for p in practitioners if same_name(p.name, full_name))
    invited = tuple(Candidate(INVITATION, p.invitation_id, p.name, False, True)
                    for p in pending if same_name(p.name, full_name))
    return records + invited


def choose_practitioner(
    full_name: str,
    practitioners: Iterable[Practitioner],
    *,
    pending: Iterable[PendingPractitioner] = (),
    existing_id: str | None = None,
    confirm_new: bool = False,
    invitation_id: str | None = None,
) -> PractitionerChoice:
    """Link ``existing_id`` (a free record of the practice) or a new record with the name,
    which waits for ``confirm_new`` while it has namesakes. ``invitation_id``: the
    invitation being accepted, whose own claim on a record is no obstacle."""
    known = tuple(practitioners)
    if existing_id is not None:
        return PractitionerChoice(PractitionerLink(existing_id=_free_record(
            known, existing_id, invitation_id).id))
    matches = namesakes(full_name, known, (p for p in pending
                                           if p.invitation_id != invitation_id))
    if matches and not confirm_new:
        return PractitionerChoice(None, possible_duplicates=matches)
    return PractitionerChoice(PractitionerLink(new_name=" ".join(full_name.split()),
                                               confirmed=bool(matches) or confirm_new))


def _free_record(known: tuple[Practitioner, ...], record_id: str,
                 invitation_id: str | None) -> Practitioner:
    record = next((p for p in known if p.id == record_id), None)
    if record is None:
        raise InvalidRequest(
            "That practitioner record does not exist in this practice. Pick one from "
            "GET /practitioners, or create a new one.",
            {"practitioner_id": record_id})
    if record.linked:
        raise PractitionerAlreadyLinked(
            f"The practitioner record {record.name} already belongs to another user. Pick "
            "another record, or create a new one (confirm_new_practitioner: true).",
            {"practitioner_id": record.id, "linked": True})
    if record.invitation_id not in (None, invitation_id):
        raise PractitionerAlreadyLinked(
            f"An open invitation already links the practitioner record {record.name}. "
            "Resend that invitation, or revoke it before linking the record to someone "
            "else.", {"practitioner_id": record.id, "invitation_id": record.invitation_id})
    return record


def require_no_new_namesake(link: PractitionerLink, practitioners: Iterable[Practitioner]
                            ) -> None:
    """At acceptance: a new record nobody confirmed as a different person is refused if a
    record with its name was made meanwhile (another acceptance of the same person)."""
    if link.new_name is None or link.confirmed:
        return
    matches = namesakes(link.new_name, practitioners)
    if matches:
        raise PractitionerDecisionRequired(
            "A practitioner record with this name was created after the invitation was "
            "sent. Choose it if it is you (practitioner_id), or confirm that you are a "
            "different person (confirm_new_practitioner: true).",
            {"possible_duplicates": candidates_body(matches)})


def candidates_body(candidates: Iterable[Candidate]) -> list[dict[str, Any]]:
    """The candidates as an error's details show them."""
    return [{"kind": c.kind, "id": c.id, "name": c.name, "linked": c.linked,
             "invited": c.invited} for c in candidates]
