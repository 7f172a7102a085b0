"""Licensed seats: active staff take one each; automation and vendor profiles never do.

Pending invitations hold a seat too, so an admin cannot invite ten people into one free
seat and leave nine of them stuck at the last step of sign-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from identity.domain.catalog import UserTypeCatalog
from identity.domain.errors import SeatLimitReached
from identity.domain.practices import Practice
from identity.domain.users import User, UserKind


def takes_seat(user: User, catalog: UserTypeCatalog) -> bool:
    return (
        user.active
        and user.kind is UserKind.STAFF
        and catalog.get(user.user_type).counts_toward_seats
    )


@dataclass(frozen=True)
class SeatUsage:
    licensed: int
    active_staff: int
    pending_invitations: int = 0

    @property
    def in_use(self) -> int:
        return self.active_staff + self.pending_invitations

    @property
    def free(self) -> int:
        return max(0, self.licensed - self.in_use)


def seat_usage(
    practice: Practice,
    users: Iterable[User],
    catalog: UserTypeCatalog,
    pending_invitations: int = 0,
) -> SeatUsage:
    return SeatUsage(
        licensed=practice.licensed_seats,
        active_staff=sum(1 for u in users if takes_seat(u, catalog)),
        pending_invitations=pending_invitations,
    )


def require_free_seat(usage: SeatUsage, *, for_invitation: bool = False) -> None:
    """Refuse adding (or, before acceptance, inviting) a person when no seat is free.

    Accepting an invitation uses the seat its pending invitation was holding, so the
    caller counts pending invitations *without* the one being accepted.
    """
    if usage.free > 0:
        return
    action = "invite" if for_invitation else "add"
    raise SeatLimitReached(
        f"All {usage.licensed} licensed seats are in use, so you cannot {action} another "
        "person. Deactivate a user, revoke a pending invitation, or buy more seats.",
        {
            "licensed_seats": usage.licensed,
            "active_staff": usage.active_staff,
            "pending_invitations": usage.pending_invitations,
        },
    )
