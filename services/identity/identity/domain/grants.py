"""Vendor access grants: a vendor employee inside a practice, for a purpose and a time.

A grant is the record that makes a vendor profile in a practice recognized. It works
only between its start and end, stops the moment it ends or is revoked (checks take
``now``; nothing waits for a sweep), and must say why it exists.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from identity.domain.clock import require_aware
from identity.domain.errors import InvalidRequest, NotAllowed, StateConflict


@dataclass(frozen=True)
class VendorStaffMember:
    """An employee of the vendor, as the vendor's own directory describes them."""

    user_id: str
    email: str
    is_support_admin: bool = False


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
) -> VendorAccessGrant:
    """Record access for ``grantee``; only a vendor support admin grants it."""
    require_aware(now)
    require_aware(starts_at, "starts_at")
    require_aware(ends_at, "ends_at")
    if not granted_by.is_support_admin:
        raise NotAllowed(
            "Only a vendor support admin can grant access to a practice. "
            "Ask a support admin to grant it.",
            {"granted_by": granted_by.user_id},
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
    return VendorAccessGrant(
        id=grant_id,
        practice_id=practice_id,
        user_id=grantee.user_id,
        purpose=purpose.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        granted_by=granted_by.user_id,
        granted_at=now,
    )


def revoke_vendor_access(
    grant: VendorAccessGrant, revoked_by: VendorStaffMember, now: datetime
) -> VendorAccessGrant:
    """End the grant at ``now``; a revoked grant stays on record."""
    require_aware(now)
    if not revoked_by.is_support_admin:
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
