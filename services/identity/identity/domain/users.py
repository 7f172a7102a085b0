"""Users of a practice and the person acting on them.

A user is a frozen value: every change in profile_changes returns a new one, so a
refused change provably leaves the stored user as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from identity.domain.catalog import AUTOMATION, UserTypeCatalog
from identity.domain.errors import InvalidRequest
from identity.domain.grants import VendorAccessGrant
from identity.domain.permissions import MANAGE_USERS, PermissionOverrides


class UserKind(StrEnum):
    STAFF = "staff"
    AUTOMATION = "automation"
    VENDOR = "vendor"
    RECIPIENT = "recipient"


@dataclass(frozen=True)
class User:
    id: str
    practice_id: str
    email: str
    full_name: str
    user_type: str
    kind: UserKind = UserKind.STAFF
    default_clinic_id: str | None = None
    overrides: PermissionOverrides = field(default_factory=PermissionOverrides)
    permission_version: int = 1
    active: bool = True

    def permissions(self, catalog: UserTypeCatalog) -> frozenset[str]:
        """Type defaults plus grants minus revocations; an inactive user holds nothing."""
        if not self.active:
            return frozenset()
        return self.overrides.effective(catalog.default_permissions(self.user_type))

    def held_permissions(self, catalog: UserTypeCatalog) -> frozenset[str]:
        """As permissions(), and nothing for accounts of no user type (recipients, vendor
        staff), which hold no practice's permissions of their own."""
        return self.permissions(catalog) if self.user_type else frozenset()

    @property
    def is_automation(self) -> bool:
        return self.kind is UserKind.AUTOMATION


@dataclass(frozen=True)
class Actor:
    """Who is making a change, from which clinic, and under which vendor grant if any."""

    user: User
    acting_clinic_id: str | None = None
    access_grant: VendorAccessGrant | None = None

    def holds(self, permission: str, catalog: UserTypeCatalog) -> bool:
        return permission in self.user.held_permissions(catalog)

    def sees_permissions(self, catalog: UserTypeCatalog, now: datetime) -> bool:
        """User Managers see everyone's permissions; so does vendor support under an active
        support grant (it is there to fix profiles, and every use of the grant is recorded)."""
        if self.holds(MANAGE_USERS, catalog):
            return True
        return self.is_supported_vendor(self.user.practice_id, now) and bool(
            self.access_grant and self.access_grant.rules.sees_user_permissions)

    def changes_user_types(self, practice_id: str, now: datetime) -> bool:
        """Only vendor support, under an active grant whose scope is support."""
        return self.is_supported_vendor(practice_id, now) and bool(
            self.access_grant and self.access_grant.rules.changes_user_types)

    def is_admin(self, catalog: UserTypeCatalog) -> bool:
        """Admin (dental vocabulary) and User Manager are the same power: manage_users."""
        return self.holds(MANAGE_USERS, catalog)

    def is_supported_vendor(self, practice_id: str, now: datetime) -> bool:
        """A vendor employee with an access grant for this practice that is active now."""
        return (
            self.user.kind is UserKind.VENDOR
            and self.access_grant is not None
            and self.access_grant.covers(self.user.id, practice_id, now)
        )


def new_staff_user(
    *,
    user_id: str,
    practice_id: str,
    email: str,
    full_name: str,
    catalog: UserTypeCatalog,
    user_type: str | None = None,
    default_clinic_id: str | None = None,
    overrides: PermissionOverrides | None = None,
) -> User:
    """A new staff member; the type defaults to the catalog's default (PT)."""
    chosen = catalog.get(user_type or catalog.default_code)
    if chosen.category == AUTOMATION:
        raise InvalidRequest(
            "The Automation type belongs to the vendor's automation profile only. "
            "Pick the staff type closest to this person's role.",
            {"user_type": chosen.code},
        )
    if not full_name.strip():
        raise InvalidRequest("Enter the person's full name.", {"field": "full_name"})
    return User(
        id=user_id,
        practice_id=practice_id,
        email=normalize_email(email),
        full_name=full_name.strip(),
        user_type=chosen.code,
        default_clinic_id=default_clinic_id,
        overrides=overrides or PermissionOverrides(),
    )


def normalize_email(email: str) -> str:
    """Lower-case and trim an address; refuse one that cannot be an address at all."""
    cleaned = email.strip().lower()
    local, at, domain = cleaned.rpartition("@")
    if not at or not local or "." not in domain or " " in cleaned or domain.startswith("."):
        raise InvalidRequest(
            f"{email!r} is not an email address. Check it and try again.", {"field": "email"}
        )
    return cleaned
