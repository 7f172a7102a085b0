"""Linking a practitioner user to a practitioner record, without making duplicates.

A new record whose name matches an existing one (ignoring case and spacing) is held
back: the admin either picks the existing record or confirms the new one is a
different person. A silent duplicate would split that person's patients and schedule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from identity.domain.errors import InvalidRequest


@dataclass(frozen=True)
class Practitioner:
    id: str
    name: str


@dataclass(frozen=True)
class PractitionerLink:
    """Exactly one of: link to ``existing_id``, or create a record named ``new_name``."""

    existing_id: str | None = None
    new_name: str | None = None


@dataclass(frozen=True)
class PractitionerChoice:
    link: PractitionerLink | None
    possible_duplicates: tuple[Practitioner, ...] = ()

    @property
    def needs_decision(self) -> bool:
        return self.link is None


def same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def choose_practitioner(
    full_name: str,
    practitioners: Iterable[Practitioner],
    *,
    existing_id: str | None = None,
    confirm_new: bool = False,
) -> PractitionerChoice:
    known = tuple(practitioners)
    if existing_id is not None:
        if not any(p.id == existing_id for p in known):
            raise InvalidRequest(
                "That practitioner record does not exist in this practice. Pick one from "
                "the list or create a new one.",
                {"practitioner_id": existing_id},
            )
        return PractitionerChoice(PractitionerLink(existing_id=existing_id))
    matches = tuple(p for p in known if same_name(p.name, full_name))
    if matches and not confirm_new:
        return PractitionerChoice(None, possible_duplicates=matches)
    return PractitionerChoice(PractitionerLink(new_name=" ".join(full_name.split())))
