"""A practice always keeps at least one active User Manager (an Admin).

Without one nobody could add, edit or reactivate staff again, and only the vendor's
support could get the practice back. So the last active User Manager cannot lose
manage_users, be deactivated or removed, or lose it through a role or type change.
"""

from __future__ import annotations

from collections.abc import Iterable

from identity.domain.catalog import UserTypeCatalog
from identity.domain.errors import LastUserManager
from identity.domain.permissions import MANAGE_USERS
from identity.domain.users import User, UserKind


def is_active_user_manager(user: User, catalog: UserTypeCatalog) -> bool:
    """A person of the practice who can manage users right now (not a machine profile)."""
    return user.kind is UserKind.STAFF and MANAGE_USERS in user.permissions(catalog)


def require_a_user_manager_remains(
    before: User, after: User, practice_users: Iterable[User], catalog: UserTypeCatalog
) -> None:
    """Refuse a change that takes manage_users (or activity) from the last User Manager."""
    if not is_active_user_manager(before, catalog) or is_active_user_manager(after, catalog):
        return
    others = [u for u in practice_users if u.id != before.id and is_active_user_manager(u, catalog)]
    if not others:
        raise LastUserManager(
            f"{before.full_name} is the practice's last active User Manager (Admin). Make "
            "someone else a User Manager first; a practice always keeps at least one.",
            {"user_id": before.id, "permission": MANAGE_USERS},
        )
