"""Changes to a user's profile: permissions, type, and whether the user is active.

Every change runs all its checks first, then returns a ProfileChange: the new user,
the permission sets before and after (the event's facts) and the bumped permission
version, which makes every token issued before the change stale at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from identity.domain import profile_rules as rules
from identity.domain.catalog import AUTOMATION, UserTypeCatalog
from identity.domain.clock import require_aware
from identity.domain.errors import AutomationProfileProtected, CannotDeactivateSelf, StateConflict
from identity.domain.permissions import NEVER_DEFAULT, require_known_permissions
from identity.domain.practices import Practice
from identity.domain.seats import SeatUsage, require_free_seat
from identity.domain.users import Actor, User


@dataclass(frozen=True)
class ProfileChange:
    action: str  # permissions_changed, user_type_changed, deactivated, reactivated, removed
    user: User
    permissions_before: frozenset[str]
    permissions_after: frozenset[str]
    permission_version: int
    notices: tuple[rules.Notice, ...] = ()

    @property
    def granted(self) -> frozenset[str]:
        return self.permissions_after - self.permissions_before

    @property
    def revoked(self) -> frozenset[str]:
        return self.permissions_before - self.permissions_after


def change_permissions(
    actor: Actor,
    target: User,
    *,
    grant: Iterable[str] = (),
    revoke: Iterable[str] = (),
    practice: Practice,
    catalog: UserTypeCatalog,
    now: datetime,
    acknowledged: bool = False,
) -> ProfileChange:
    """Grant and revoke profile permissions on ``target`` as ``actor``."""
    granting, revoking = require_known_permissions(grant), require_known_permissions(revoke)
    _require_may_edit(actor, target, catalog, now, "changed")
    rules.refuse_self_promotion(actor, target, granting)
    rules.require_holds_granted(actor, granting, catalog)
    rules.require_finish_notes_acknowledged(target, granting, catalog, acknowledged)
    defaults = catalog.default_permissions(target.user_type)
    overrides = target.overrides.changed(defaults, granting, revoking)
    notice = rules.billing_provider_notice(practice, target, granting, catalog)
    return _changed(
        "permissions_changed",
        target,
        replace(target, overrides=overrides),
        catalog,
        (notice,) if notice else (),
    )


def change_user_type(
    actor: Actor, target: User, new_type: str, *, catalog: UserTypeCatalog, now: datetime
) -> ProfileChange:
    """Only vendor support staff under an active grant change a type; practices are told so.

    Overrides were made against the old type's defaults, so they are dropped, except the
    administrative grants (manage_users, view_audit) that belong to the person.
    """
    require_aware(now)
    rules.require_may_act(actor, target.practice_id, now)
    rules.require_support_for_type_change(actor, target, now)
    rules.refuse_automation_profile_change(target, "changed")
    rules.require_billing_user_edited_from_default_clinic(actor, target)
    chosen = catalog.get(new_type)
    if chosen.category == AUTOMATION:
        raise AutomationProfileProtected(
            "The Automation type belongs to the vendor's automation profile only. "
            "Pick the staff type closest to this person's role.",
            {"user_type": chosen.code},
        )
    kept = replace(
        target.overrides, granted=target.overrides.granted & NEVER_DEFAULT, revoked=frozenset()
    )
    return _changed(
        "user_type_changed",
        target,
        replace(target, user_type=chosen.code, overrides=kept),
        catalog,
    )


def deactivate_user(
    actor: Actor, target: User, *, catalog: UserTypeCatalog, now: datetime
) -> ProfileChange:
    _require_may_edit(actor, target, catalog, now, "deactivated")
    _require_not_self(actor, target)
    if not target.active:
        raise StateConflict("This user is already deactivated.", {"user_id": target.id})
    return _changed("deactivated", target, replace(target, active=False), catalog)


def remove_user(
    actor: Actor, target: User, *, catalog: UserTypeCatalog, now: datetime
) -> ProfileChange:
    """Remove a user from the practice; the record stays for the audit trail, inactive."""
    _require_may_edit(actor, target, catalog, now, "removed")
    _require_not_self(actor, target)
    return _changed("removed", target, replace(target, active=False), catalog)


def _require_not_self(actor: Actor, target: User) -> None:
    if actor.user.id == target.id:
        raise CannotDeactivateSelf(
            "You cannot deactivate or remove your own account. Ask another Admin of the "
            "practice to do it.", {"user_id": target.id})


def reactivate_user(
    actor: Actor, target: User, *, seats: SeatUsage, catalog: UserTypeCatalog, now: datetime
) -> ProfileChange:
    _require_may_edit(actor, target, catalog, now, "changed")
    if target.active:
        raise StateConflict("This user is already active.", {"user_id": target.id})
    if catalog.get(target.user_type).counts_toward_seats:
        require_free_seat(seats)
    return _changed("reactivated", target, replace(target, active=True), catalog)


def _require_may_edit(
    actor: Actor, target: User, catalog: UserTypeCatalog, now: datetime, action: str
) -> None:
    require_aware(now)
    rules.require_may_act(actor, target.practice_id, now)
    rules.refuse_automation_profile_change(target, action)
    rules.require_user_manager(actor, catalog)
    rules.require_billing_user_edited_from_default_clinic(actor, target)


def _changed(
    action: str,
    before: User,
    after: User,
    catalog: UserTypeCatalog,
    notices: tuple[rules.Notice, ...] = (),
) -> ProfileChange:
    version = before.permission_version + 1
    return ProfileChange(
        action=action,
        user=replace(after, permission_version=version),
        permissions_before=before.permissions(catalog),
        permissions_after=after.permissions(catalog),
        permission_version=version,
        notices=notices,
    )
