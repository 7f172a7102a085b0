"""Accounts of no practice (recipients, vendor staff), the vendor's directory and its grants."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.orm import Session

from identity.adapters.tables import (
    access_grants,
    practices,
    users,
    vendor_sessions,
    vendor_staff,
)
from identity.domain.grants import VendorAccessGrant, VendorStaffMember
from identity.domain.users import UserKind
from identity.domain.vendor_support import GrantScope


class PracticelessAccounts:
    """Recipients and vendor staff: users with no practice, one account per kind and email."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def account_id(self, kind: UserKind, email: str) -> str | None:
        return self.session.execute(select(users.c.id).where(
            users.c.org_id.is_(None), users.c.kind == kind.value,
            users.c.email_normalized == email.lower(),
        )).scalar_one_or_none()

    def practice_name(self, practice_id: str) -> str | None:
        return self.session.execute(
            select(practices.c.name).where(practices.c.id == practice_id)
        ).scalar_one_or_none()


class VendorDirectory:
    """The vendor's staff, their access grants and the grant each sign-in session runs under."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- staff -------------------------------------------------------------------------
    def member(self, user_id: str) -> VendorStaffMember | None:
        """An active vendor employee, or None (unknown, deactivated, or not vendor staff)."""
        row = self.session.execute(
            select(users.c.id, users.c.email, vendor_staff.c.is_support_admin)
            .join(vendor_staff, vendor_staff.c.user_id == users.c.id)
            .where(users.c.id == user_id, users.c.kind == UserKind.VENDOR.value,
                   users.c.status == "active")
        ).mappings().one_or_none()
        if row is None:
            return None
        return VendorStaffMember(row["id"], row["email"], row["is_support_admin"])

    def add_member(self, member: VendorStaffMember, now: datetime) -> None:
        self.session.execute(insert(vendor_staff).values(
            user_id=member.user_id, is_support_admin=member.is_support_admin, created_at=now))

    # --- grants ------------------------------------------------------------------------
    def grant(self, grant_id: str) -> VendorAccessGrant | None:
        row = self.session.execute(
            select(access_grants).where(access_grants.c.id == grant_id)
        ).mappings().one_or_none()
        return _grant(row) if row else None

    def grants(self, *, practice_id: str | None = None, user_id: str | None = None
               ) -> list[VendorAccessGrant]:
        """Grants, newest first, for one practice and/or one vendor employee if given."""
        query = select(access_grants)
        if practice_id is not None:
            query = query.where(access_grants.c.practice_id == practice_id)
        if user_id is not None:
            query = query.where(access_grants.c.user_id == user_id)
        rows = self.session.execute(
            query.order_by(access_grants.c.granted_at.desc(), access_grants.c.id)
        ).mappings()
        return [_grant(row) for row in rows]

    def active_grant(self, user_id: str, practice_id: str, now: datetime
                     ) -> VendorAccessGrant | None:
        """The grant that lets this employee into this practice right now, if any."""
        rows = self.session.execute(select(access_grants).where(
            access_grants.c.user_id == user_id, access_grants.c.practice_id == practice_id,
            access_grants.c.revoked_at.is_(None), access_grants.c.starts_at <= now,
            access_grants.c.ends_at > now,
        ).order_by(access_grants.c.ends_at.desc())).mappings()
        # The domain has the last word on "active" (the query only narrows the rows).
        return next((g for g in map(_grant, rows) if g.covers(user_id, practice_id, now)), None)

    def add_grant(self, grant: VendorAccessGrant) -> None:
        self.session.execute(insert(access_grants).values(
            id=grant.id, practice_id=grant.practice_id, user_id=grant.user_id,
            purpose=grant.purpose, starts_at=grant.starts_at, ends_at=grant.ends_at,
            granted_by=grant.granted_by, granted_at=grant.granted_at, scope=grant.scope.value,
        ))

    def save_revocation(self, grant: VendorAccessGrant) -> None:
        self.session.execute(update(access_grants).where(access_grants.c.id == grant.id).values(
            revoked_at=grant.revoked_at, revoked_by=grant.revoked_by))

    def people(self, user_ids: set[str]) -> dict[str, tuple[str, str]]:
        """Email and full name of each user id, for showing who holds a grant."""
        if not user_ids:
            return {}
        rows = self.session.execute(
            select(users.c.id, users.c.email, users.c.full_name).where(users.c.id.in_(user_ids))
        )
        return {row.id: (row.email, row.full_name) for row in rows}

    # --- sessions ----------------------------------------------------------------------
    def open_session(self, family_id: str, grant_id: str | None) -> None:
        self.session.execute(insert(vendor_sessions).values(family_id=family_id,
                                                            grant_id=grant_id))

    def session_grant(self, family_id: str) -> VendorAccessGrant | None:
        """The grant a session was opened under; None for the vendor's own directory."""
        grant_id = self.session.execute(
            select(vendor_sessions.c.grant_id).where(vendor_sessions.c.family_id == family_id)
        ).scalar_one_or_none()
        return self.grant(grant_id) if grant_id else None

    def grant_in_practice(self, grant_id: str, practice_id: str) -> VendorAccessGrant | None:
        """The grant, if it is one into ``practice_id`` (others look like no grant)."""
        grant = self.grant(grant_id)
        return grant if grant is not None and grant.practice_id == practice_id else None

    def sessions_under(self, grant_id: str) -> list[str]:
        return list(self.session.execute(
            select(vendor_sessions.c.family_id).where(vendor_sessions.c.grant_id == grant_id)
        ).scalars())


def _grant(row: RowMapping) -> VendorAccessGrant:
    return VendorAccessGrant(
        id=row["id"], practice_id=row["practice_id"], user_id=row["user_id"],
        purpose=row["purpose"], starts_at=row["starts_at"], ends_at=row["ends_at"],
        granted_by=row["granted_by"], granted_at=row["granted_at"],
        revoked_at=row["revoked_at"], revoked_by=row["revoked_by"],
        scope=GrantScope(row["scope"]),
    )
