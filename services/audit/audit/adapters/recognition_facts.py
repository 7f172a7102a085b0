"""What recognition reads back from the projection to judge, and whom a new fact concerns."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.adapters.identity_projection import IdentityProjection
from audit.adapters.tables import (
    access_grants,
    known_invitations,
    known_practices,
    known_profiles,
    profile_statements,
    vendor_entries,
)
from audit.domain.profile_history import ProfileStatement
from audit.domain.recognition import AccessGrant


class RecognitionFacts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def statements_of(self, user_id: str) -> list[ProfileStatement]:
        return IdentityProjection(self.session).statements_of(user_id)

    def practice(self, org_id: str) -> dict[str, Any] | None:
        row = self.session.execute(select(known_practices).where(
            known_practices.c.org_id == org_id)).mappings().first()
        if row is None:
            return None
        practice = dict(row)
        domains = practice["recognized_domains"]
        practice["recognized_domains"] = None if domains is None else json.loads(domains)
        return practice

    def owner_email(self, org_id: str, owner_id: str | None) -> str | None:
        """The owner's address: the named owner's, else the first profile in the owner role."""
        c = known_profiles.c
        query = select(c.email).where(c.org_id == org_id)
        query = query.where(c.user_id == owner_id) if owner_id else query.where(c.role == "owner")
        return self.session.execute(query.order_by(c.user_id).limit(1)).scalar()

    def profile(self, user_id: str) -> dict[str, Any] | None:
        row = self.session.execute(select(known_profiles).where(
            known_profiles.c.user_id == user_id)).mappings().first()
        return dict(row) if row is not None else None

    def user_by_email(self, org_id: str, email: str) -> str | None:
        return self.session.execute(select(known_profiles.c.user_id).where(
            known_profiles.c.org_id == org_id,
            known_profiles.c.email == email.strip().lower())).scalar()

    def creation(self, user_id: str) -> dict[str, Any] | None:
        """The statement that created the profile and names who did it."""
        row = self.session.execute(select(profile_statements).where(
            profile_statements.c.user_id == user_id,
            profile_statements.c.created_by.is_not(None))).mappings().first()
        return dict(row) if row is not None else None

    def invitation(self, invitation_id: str, org_id: str) -> dict[str, Any] | None:
        row = self.session.execute(select(known_invitations).where(
            known_invitations.c.invitation_id == invitation_id,
            known_invitations.c.org_id == org_id)).mappings().first()
        return dict(row) if row is not None else None

    def grants(self, user_id: str, org_id: str) -> dict[str, AccessGrant]:
        """The grants that let ``user_id`` into ``org_id``, by grant id."""
        query = select(access_grants).where(access_grants.c.user_id == user_id,
                                            access_grants.c.org_id == org_id)
        return {g["grant_id"]: AccessGrant(g["purpose"], g["starts_at"], g["ends_at"],
                                           g["revoked_at"])
                for g in self.session.execute(query).mappings()}

    def grant_is_known(self, grant_id: str) -> bool:
        return self.session.execute(select(access_grants.c.grant_id).where(
            access_grants.c.grant_id == grant_id)).first() is not None

    # --- whom a new fact concerns ------------------------------------------------------

    def profiles_in(self, org_id: str) -> list[str]:
        return self._ids(select(known_profiles.c.user_id).where(
            known_profiles.c.org_id == org_id))

    def invitees(self, invitation_id: str) -> list[str]:
        return self._ids(select(profile_statements.c.user_id).where(
            profile_statements.c.invitation_id == invitation_id))

    def created_by(self, user_id: str) -> list[str]:
        return self._ids(select(profile_statements.c.user_id).where(
            profile_statements.c.created_by == user_id))

    def invitations_sent_by(self, user_id: str) -> list[str]:
        return self._ids(select(known_invitations.c.invitation_id).where(
            known_invitations.c.sent_by == user_id))

    def entries(self, *, org_id: str | None = None, user_id: str | None = None
                ) -> list[Mapping[str, Any]]:
        """Vendors' entries into practices, of one practice and/or one person."""
        c = vendor_entries.c
        query = select(vendor_entries)
        if org_id is not None:
            query = query.where(c.org_id == org_id)
        if user_id is not None:
            query = query.where(c.user_id == user_id)
        return [dict(row) for row in self.session.execute(query).mappings().all()]

    def owner_of(self, org_id: str) -> str | None:
        return self.session.execute(select(known_practices.c.owner_id).where(
            known_practices.c.org_id == org_id)).scalar()

    def _ids(self, query: Any) -> list[str]:
        return sorted({str(v) for v in self.session.execute(query).scalars() if v})
