"""A staff member's role in the practice, and the profile defaults that follow from it.

The role is recorded when an invitation is accepted. People who joined another way (the
owner who created the practice, staff added directly) have none recorded, so their role
is read from what they are: an Admin runs the practice, a note writer is a practitioner,
everyone else works the front desk. The permission level is never stored: Admin is the
manage_users permission, so the profile follows every permission change at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from identity.domain.catalog import DENTAL, UserType, UserTypeCatalog
from identity.domain.permissions import EDIT_PATIENTS, MANAGE_USERS
from identity.domain.roles import (
    ClinicalRole,
    PermissionLevel,
    PracticeRole,
    RoleProfile,
    role_profile,
)
from identity.domain.users import User


@dataclass(frozen=True)
class StaffRole:
    role: PracticeRole
    clinical_role: ClinicalRole | None = None
    practitioner_id: str | None = None


@dataclass(frozen=True)
class StaffProfile:
    role: StaffRole
    permission_level: PermissionLevel
    defaults: RoleProfile


def permission_level_of(user: User, catalog: UserTypeCatalog) -> PermissionLevel:
    admin = MANAGE_USERS in user.permissions(catalog)
    return PermissionLevel.ADMIN if admin else PermissionLevel.USER


def assumed_role(user: User, catalog: UserTypeCatalog) -> StaffRole:
    """The role of someone who joined without an invitation: a dental type names its own."""
    user_type = catalog.get(user.user_type)
    if user_type.practice_role is not None:
        clinical = user_type.clinical_role
        return StaffRole(PracticeRole(user_type.practice_role),
                         ClinicalRole(clinical) if clinical else None)
    if permission_level_of(user, catalog) is PermissionLevel.ADMIN:
        return StaffRole(PracticeRole.OWNER_MANAGER)
    if user_type.may_write_notes:
        return StaffRole(PracticeRole.PRACTITIONER)
    return StaffRole(PracticeRole.FRONT_DESK)


def staff_profile(user: User, recorded: StaffRole | None, catalog: UserTypeCatalog, *,
                  integrated: bool = True) -> StaffProfile:
    """The person's role and its defaults; `integrated`: the practice has an integration."""
    role = recorded or assumed_role(user, catalog)
    level = permission_level_of(user, catalog)
    return StaffProfile(role, level, role_profile(role.role, level, integrated=integrated))


def level_grants(user_type: UserType, level: PermissionLevel) -> frozenset[str]:
    """What the Admin level grants on top of the type: manage_users everywhere, and in the
    dental vocabulary also editing patient records (the seed reserves it for Admins)."""
    if level is not PermissionLevel.ADMIN:
        return frozenset()
    if user_type.practice_model == DENTAL:
        return frozenset({MANAGE_USERS, EDIT_PATIENTS})
    return frozenset({MANAGE_USERS})
