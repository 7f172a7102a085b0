"""Vendor access grants: a vendor employee inside a practice, for a purpose and a time.

A grant is the record that makes a vendor profile in a practice recognized. It works
only between its start and end, stops the moment it ends or is revoked (checks take
``now``; nothing waits for a sweep), and must say why it exists. Its scope (support,
revenue cycle) decides what the vendor may do there (``vendor_support.GRANT_SCOPES``).
A grant lasts at most 30 days, is never given by the grantee to themselves, and the
practice's User Managers as well as the vendor's support admins can revoke it at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from identity.domain.clock import require_aware
from identity.domain.errors import (
    GrantTooLong,
    InvalidRequest,
    NotAllowed,
    SelfGrantRefused,
    StateConflict,
)
from identity.domain.vendor_support import GRANT_SCOPES, GrantScope, ScopeRules

MAX_GRANT_LENGTH = timedelta(days=30)


@dataclass(frozen=True)
class VendorStaffMember:
    """An employee of the vendor, as the vendor's own directory describes them."""

    user_id: str
    email: str
    is_support_admin: bool = False


@dataclass(frozen=True)
class PracticeUserManager:
    """A User Manager (Admin) of a practice: revokes the grants into their own practice."""

    user_id: str
    practice_id: str


@dataclass(frozen=True)
class VendorAccessGrant:
    id: str
    practice_id: str
    user_id: str
    purpose: str
    starts_at: datetime
    ends_at: datetime
    granted_by: str
    granted_at: datetime
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    scope: GrantScope = GrantScope.SUPPORT

    @property
    def rules(self) -> ScopeRules:
        return GRANT_SCOPES[self.scope]

    def is_active(self, now: datetime) -> bool:
        require_aware(now)
        if self.revoked_at is not None and self.revoked_at <= now:
            return False
        return self.starts_at <= now < self.ends_at

    def covers(self, user_id: str, practice_id: str, now: datetime) -> bool:
        """True when this grant lets ``user_id`` act in ``practice_id`` right now."""
        return self.user_id == user_id and self.practice_id == practice_id and self.is_active(now)


def grant_vendor_access(
    *,
    grant_id: str,
    granted_by: VendorStaffMember,
    grantee: VendorStaffMember,
    practice_id: str,
    purpose: str,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    scope: GrantScope = GrantScope.SUPPORT,
) -> VendorAccessGrant:
    """Record access for ``grantee``; only a vendor support admin grants it, never to
    themselves, for at most 30 days."""
    require_aware(now)
    require_aware(starts_at, "starts_at")
    require_aware(ends_at, "ends_at")
    if not granted_by.is_support_admin:
        raise NotAllowed(
            "Only a vendor support admin can grant access to a practice. "
            "Ask a support admin to grant it.",
            {"granted_by": granted_by.user_id},
        )
    if grantee.user_id == granted_by.user_id:
        raise SelfGrantRefused(
            "Nobody grants access to themselves. Ask another support admin to grant it.",
            {"user_id": grantee.user_id},
        )
    if not purpose.strip():
        raise InvalidRequest(
            "Say why access is needed (for example the support ticket); the purpose is "
            "recorded and shown to the practice.",
            {"field": "purpose"},
        )
    if ends_at <= starts_at:
        raise InvalidRequest(
            "The access must end after it starts. Pick an end time later than the start.",
            {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
        )
    if ends_at - starts_at > MAX_GRANT_LENGTH:
        raise GrantTooLong(
            f"Access is granted for at most {MAX_GRANT_LENGTH.days} days. Pick an end time "
            f"within {MAX_GRANT_LENGTH.days} days of the start; grant again later if the "
            "work takes longer.",
            {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(),
             "max_days": MAX_GRANT_LENGTH.days},
        )
    return VendorAccessGrant(
        id=grant_id,
        practice_id=practice_id,
        user_id=grantee.user_id,
        purpose=purpose.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        granted_by=granted_by.user_id,
        granted_at=now,
        scope=scope,
    )


def revoke_vendor_access(
    grant: VendorAccessGrant, revoked_by: VendorStaffMember | PracticeUserManager,
    now: datetime,
) -> VendorAccessGrant:
    """End the grant at ``now``; a revoked grant stays on record.

    The vendor's support admins revoke any grant; a practice's User Managers the grants
    into their own practice.
    """
    require_aware(now)
    if isinstance(revoked_by, PracticeUserManager):
        if revoked_by.practice_id != grant.practice_id:
            raise NotAllowed(
                "This access grant is for another practice; you can revoke only your "
                "practice's grants.", {"grant_id": grant.id})
    elif not revoked_by.is_support_admin:
        raise NotAllowed(
            "Only a vendor support admin can revoke access. Ask a support admin to revoke it.",
            {"revoked_by": revoked_by.user_id},
        )
    if grant.revoked_at is not None:
        raise StateConflict(
            "This access grant was already revoked; nothing more to do.",
            {"grant_id": grant.id, "revoked_at": grant.revoked_at.isoformat()},
        )
    return replace(grant, revoked_at=now, revoked_by=revoked_by.user_id)
