"""The practice's practitioner records as an Admin picks from them: a page at a time, each
with the user it is linked to (their clinical role and clinics) or the open invitation
that will link it."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from identity.adapters.tables import invitations, practitioners, staff_roles, user_clinics, users
from identity.domain.errors import InvalidRequest


@dataclass(frozen=True)
class PractitionerEntry:
    id: str
    name: str
    created_at: datetime
    user_id: str | None
    user_full_name: str | None
    user_status: str | None
    clinical_role: str | None
    clinic_ids: tuple[str, ...]
    invitation_id: str | None  # an open invitation that will link this record


def encode_cursor(name: str, record_id: str) -> str:
    return base64.urlsafe_b64encode(f"{name.casefold()}\n{record_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        key, record_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("\n")
    except (ValueError, UnicodeError):
        raise InvalidRequest("The cursor is not one this list gave. Start again without it.",
                             {"field": "cursor"}) from None
    return key, record_id


class PractitionerDirectory:
    def __init__(self, session: Session) -> None:
        self.session = session

    def page(self, practice_id: str, *, now: datetime, after: str | None, limit: int,
             linked: bool | None) -> list[PractitionerEntry]:
        """Up to ``limit`` records by name (case-insensitive), after the cursor's record."""
        key = func.lower(practitioners.c.name)
        query = _records(practice_id).order_by(key, practitioners.c.id).limit(limit)
        if after is not None:
            name, record_id = decode_cursor(after)
            query = query.where(or_(key > name, and_(key == name,
                                                     practitioners.c.id > record_id)))
        if linked is not None:
            query = query.where(practitioners.c.user_id.is_not(None) if linked
                                else practitioners.c.user_id.is_(None))
        return self._entries(practice_id, query, now)

    def one(self, practice_id: str, record_id: str, now: datetime) -> PractitionerEntry | None:
        """The record as the list shows it, if it is the practice's."""
        entries = self._entries(
            practice_id, _records(practice_id).where(practitioners.c.id == record_id), now)
        return entries[0] if entries else None

    def _entries(self, practice_id: str, query: Select, now: datetime
                 ) -> list[PractitionerEntry]:
        rows = list(self.session.execute(query).mappings())
        clinics = self._clinics([r["user_id"] for r in rows if r["user_id"]])
        claims = self._claims(practice_id, [r["id"] for r in rows], now)
        return [PractitionerEntry(
            id=r["id"], name=r["name"], created_at=r["created_at"], user_id=r["user_id"],
            user_full_name=r["full_name"], user_status=r["status"],
            clinical_role=r["clinical_role"], clinic_ids=clinics.get(r["user_id"], ()),
            invitation_id=claims.get(r["id"])) for r in rows]

    def _clinics(self, user_ids: list[str]) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        if user_ids:
            for row in self.session.execute(
                    select(user_clinics.c.user_id, user_clinics.c.clinic_id)
                    .where(user_clinics.c.user_id.in_(user_ids))
                    .order_by(user_clinics.c.clinic_id)):
                found.setdefault(row.user_id, []).append(row.clinic_id)
        return {user_id: tuple(ids) for user_id, ids in found.items()}

    def _claims(self, practice_id: str, record_ids: list[str], now: datetime
                ) -> dict[str, str]:
        if not record_ids:
            return {}
        rows = self.session.execute(select(invitations.c.practitioner_id, invitations.c.id)
                                    .where(invitations.c.org_id == practice_id,
                                           invitations.c.practitioner_id.in_(record_ids),
                                           invitations.c.accepted_at.is_(None),
                                           invitations.c.revoked_at.is_(None),
                                           invitations.c.expires_at > now))
        return {row.practitioner_id: row.id for row in rows}


def _records(practice_id: str) -> Select:
    """The practice's records with their linked user; a linked record shows the user's
    clinical role, a free one its own."""
    return (select(practitioners.c.id, practitioners.c.name, practitioners.c.created_at,
                   practitioners.c.user_id, users.c.full_name, users.c.status,
                   func.coalesce(staff_roles.c.clinical_role,
                                 practitioners.c.clinical_role).label("clinical_role"))
            .outerjoin(users, users.c.id == practitioners.c.user_id)
            .outerjoin(staff_roles, staff_roles.c.user_id == practitioners.c.user_id)
            .where(practitioners.c.org_id == practice_id))
