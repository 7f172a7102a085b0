"""An invitation after it is sent: resend, revoke, accept, and the user it becomes.

Resending replaces the token, so the link in an older email stops working; accepting
spends it, so a link opens an account once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from identity.domain import profile_rules as rules
from identity.domain.catalog import UserTypeCatalog
from identity.domain.clock import require_aware
from identity.domain.errors import LinkExpired, LinkUnusable, StateConflict
from identity.domain.invitations import INVITATION_LIFETIME, Invitation, InvitationStatus
from identity.domain.permissions import PermissionOverrides
from identity.domain.seats import SeatUsage, require_free_seat
from identity.domain.staff_roles import level_grants
from identity.domain.tokens import IssuedToken, issue_token, token_matches
from identity.domain.users import Actor, User, new_staff_user


def resend_invitation(
    actor: Actor, invitation: Invitation, *, catalog: UserTypeCatalog, now: datetime
) -> tuple[Invitation, IssuedToken]:
    """A new token and a fresh 7 days; the old link dies with the old hash."""
    _require_admin_of(actor, invitation, catalog, now)
    if invitation.status(now) not in (InvitationStatus.PENDING, InvitationStatus.EXPIRED):
        raise StateConflict(
            f"This invitation was {invitation.status(now)}, so it cannot be resent. "
            "Send a new invitation instead.",
            {"invitation_id": invitation.id},
        )
    token = issue_token()
    renewed = replace(
        invitation, token_hash=token.hash, sent_at=now, expires_at=now + INVITATION_LIFETIME
    )
    return renewed, token


def revoke_invitation(
    actor: Actor, invitation: Invitation, *, catalog: UserTypeCatalog, now: datetime
) -> Invitation:
    _require_admin_of(actor, invitation, catalog, now)
    if invitation.status(now) not in (InvitationStatus.PENDING, InvitationStatus.EXPIRED):
        raise StateConflict(
            f"This invitation was {invitation.status(now)}; there is nothing to revoke. "
            "To remove someone who already joined, remove the user.",
            {"invitation_id": invitation.id},
        )
    return replace(invitation, revoked_at=now)


def accept_invitation(
    invitation: Invitation, raw_token: str, *, seats: SeatUsage, now: datetime
) -> Invitation:
    """Spend the link. Pending invitations held seats, so only active staff count here."""
    check_invitation_link(invitation, raw_token, now)
    require_free_seat(replace(seats, pending_invitations=0))
    return replace(invitation, accepted_at=now)


def check_invitation_link(invitation: Invitation, raw_token: str, now: datetime) -> None:
    """Refuse a link that is not the latest, has expired, or whose invitation is closed."""
    require_aware(now)
    if not token_matches(raw_token, invitation.token_hash):
        raise LinkUnusable(
            "This invitation link is no longer valid; a newer one may have been "
            "sent. Use the latest email, or ask an Admin to resend it."
        )
    status = invitation.status(now)
    if status is InvitationStatus.EXPIRED:
        raise LinkExpired(
            "This invitation expired (invitations last 7 days). Ask an Admin "
            "of the practice to resend it.",
            {"expired_at": invitation.expires_at.isoformat()},
        )
    if status is not InvitationStatus.PENDING:
        raise LinkUnusable(
            f"This invitation was {status}. Sign in if you already joined, "
            "or ask an Admin for a new invitation.",
            {"status": str(status)},
        )


def user_from_invitation(
    invitation: Invitation,
    *,
    user_id: str,
    catalog: UserTypeCatalog,
    default_clinic_id: str | None = None,
) -> User:
    """The new staff member; an Admin invitation carries the Admin level's grants."""
    grants = level_grants(catalog.get(invitation.user_type), invitation.permission_level)
    return new_staff_user(
        user_id=user_id,
        practice_id=invitation.practice_id,
        email=invitation.email,
        full_name=invitation.full_name,
        catalog=catalog,
        user_type=invitation.user_type,
        default_clinic_id=default_clinic_id,
        overrides=PermissionOverrides(
            granted=grants - catalog.default_permissions(invitation.user_type)),
    )


def _require_admin_of(
    actor: Actor, invitation: Invitation, catalog: UserTypeCatalog, now: datetime
) -> None:
    require_aware(now)
    rules.require_may_act(actor, invitation.practice_id, now)
    rules.require_user_manager(actor, catalog)
