"""A User Manager edits a user over their working life: name, clinics, default clinic,
supervising therapist, role, clinical role and permission level. The user type is not
among them: only support changes it (profile_changes.change_user_type).

Every check runs before anything is built, so a refused edit changes nothing. A change
to what the user's access token carries (clinics, role, permissions) bumps the
permission version, so tokens issued before it stop everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from identity.domain import profile_rules as rules
from identity.domain.catalog import UserTypeCatalog
from identity.domain.clock import require_aware
from identity.domain.errors import InvalidRequest
from identity.domain.roles import ClinicalRole, PermissionLevel, PracticeRole
from identity.domain.staff_roles import StaffRole, level_grants, permission_level_of
from identity.domain.supervision import require_supervisor_fits
from identity.domain.users import Actor, User

KEEP: Any = object()  # a field the edit leaves as it is (None means "clear it")


@dataclass(frozen=True)
class StaffRecord:
    """A user with what their domain value does not carry."""

    user: User
    clinic_ids: frozenset[str]  # every clinic they work at, the default one included
    supervising_therapist_id: str | None
    role: StaffRole


@dataclass(frozen=True)
class ProfileEdit:
    full_name: Any = KEEP
    clinic_ids: Any = KEEP  # iterable of clinic ids: the whole new set
    default_clinic_id: Any = KEEP
    supervising_therapist_id: Any = KEEP
    practice_role: Any = KEEP
    clinical_role: Any = KEEP
    permission_level: Any = KEEP


@dataclass(frozen=True)
class ProfileEdited:
    before: StaffRecord
    after: StaffRecord
    changed: tuple[str, ...]  # the edited facts that differ from before, by field name
    outdates_tokens: bool

    @property
    def permission_version(self) -> int:
        return self.after.user.permission_version


def edit_profile(
    actor: Actor, current: StaffRecord, edit: ProfileEdit, *, practice_clinic_ids: frozenset[str],
    supervisor: User | None, catalog: UserTypeCatalog, now: datetime,
) -> ProfileEdited:
    """``supervisor`` is the user edit.supervising_therapist_id names, if any."""
    require_aware(now)
    target = current.user
    rules.require_may_act(actor, target.practice_id, now)
    rules.refuse_automation_profile_change(target, "edited")
    rules.require_user_manager(actor, catalog)
    rules.require_billing_user_edited_from_default_clinic(actor, target)
    name = _full_name(edit.full_name, target.full_name)
    clinics, default = _clinics(edit, current, practice_clinic_ids)
    rules.require_default_clinic_for_billing(target.user_type, default)
    supervisor_id = _kept(edit.supervising_therapist_id, current.supervising_therapist_id)
    if supervisor_id != current.supervising_therapist_id:
        require_supervisor_fits(target.user_type, supervisor_id, supervisor,
                                practice_id=target.practice_id, catalog=catalog,
                                user_id=target.id)
    role = _role(edit, current.role)
    overrides = _permission_level(actor, target, edit.permission_level, catalog)
    after_user = replace(target, full_name=name, default_clinic_id=default, overrides=overrides)
    after = StaffRecord(after_user, clinics, supervisor_id, role)
    changed = _changed(current, after, catalog)
    outdates = bool({"clinic_ids", "default_clinic_id", "practice_role", "clinical_role",
                     "permission_level"} & set(changed))
    if outdates:
        after = replace(after, user=replace(after_user,
                                            permission_version=target.permission_version + 1))
    return ProfileEdited(current, after, changed, outdates)


def _kept(value: Any, current: Any) -> Any:
    return current if value is KEEP else value


def _full_name(value: Any, current: str) -> str:
    if value is KEEP:
        return current
    name = " ".join(str(value or "").split())
    if not name:
        raise InvalidRequest("Enter the person's full name.", {"field": "full_name"})
    return name


def _clinics(edit: ProfileEdit, current: StaffRecord, practice_clinic_ids: frozenset[str]
             ) -> tuple[frozenset[str], str | None]:
    """The new clinics and default clinic; the default is always one of the clinics."""
    default = _kept(edit.default_clinic_id, current.user.default_clinic_id)
    if edit.clinic_ids is KEEP:
        clinics = current.clinic_ids | ({default} if default else set())
    else:
        clinics = frozenset(edit.clinic_ids)
        if default is not None and default not in clinics:
            raise InvalidRequest(
                "The default clinic must be one of the user's clinics. Add it to clinic_ids, "
                "or pick another default clinic.",
                {"default_clinic_id": default, "clinic_ids": sorted(clinics)})
    unknown = sorted(clinics - practice_clinic_ids)
    if unknown:
        raise InvalidRequest("Pick clinics of your own practice.", {"unknown_clinics": unknown})
    return frozenset(clinics), default


def _role(edit: ProfileEdit, current: StaffRole) -> StaffRole:
    """The role as edited; one not edited stays as it is (an assumed practitioner role has
    no clinical role until someone records one)."""
    if edit.practice_role is KEEP and edit.clinical_role is KEEP:
        return current
    role = PracticeRole(_kept(edit.practice_role, current.role))
    if edit.clinical_role is not KEEP:
        clinical = ClinicalRole(edit.clinical_role) if edit.clinical_role else None
    else:
        clinical = current.clinical_role if role is PracticeRole.PRACTITIONER else None
    if role is PracticeRole.PRACTITIONER and clinical is None:
        raise InvalidRequest("Choose the practitioner's clinical role: Dentist, Hygienist, "
                             "Oral Health Therapist or Other.", {"field": "clinical_role"})
    if role is not PracticeRole.PRACTITIONER and clinical is not None:
        raise InvalidRequest("Only practitioners have a clinical role; leave it empty for "
                             f"{role.replace('_', ' ')}.", {"field": "clinical_role"})
    return replace(current, role=role, clinical_role=clinical)


def _permission_level(actor: Actor, target: User, level: Any, catalog: UserTypeCatalog) -> Any:
    """Admin is the manage_users permission: the level grants or revokes it (and, in the
    dental vocabulary, editing patient records with it: staff_roles.level_grants)."""
    if level is KEEP or PermissionLevel(level) is permission_level_of(target, catalog):
        return target.overrides
    defaults = catalog.default_permissions(target.user_type)
    admin_grants = level_grants(catalog.get(target.user_type), PermissionLevel.ADMIN)
    if PermissionLevel(level) is PermissionLevel.ADMIN:
        rules.refuse_self_promotion(actor, target, admin_grants)
        return target.overrides.changed(defaults, admin_grants, frozenset())
    return target.overrides.changed(defaults, frozenset(), admin_grants - defaults)


def _changed(before: StaffRecord, after: StaffRecord, catalog: UserTypeCatalog
             ) -> tuple[str, ...]:
    facts = [
        ("full_name", before.user.full_name, after.user.full_name),
        ("clinic_ids", before.clinic_ids, after.clinic_ids),
        ("default_clinic_id", before.user.default_clinic_id, after.user.default_clinic_id),
        ("supervising_therapist_id", before.supervising_therapist_id,
         after.supervising_therapist_id),
        ("practice_role", before.role.role, after.role.role),
        ("clinical_role", before.role.clinical_role, after.role.clinical_role),
        ("permission_level", permission_level_of(before.user, catalog),
         permission_level_of(after.user, catalog)),
    ]
    return tuple(name for name, old, new in facts if old != new)


def facts_of(record: StaffRecord, catalog: UserTypeCatalog) -> dict[str, Any]:
    """The editable facts as an event carries them."""
    user, role = record.user, record.role
    return {
        "full_name": user.full_name, "clinic_ids": sorted(record.clinic_ids),
        "default_clinic_id": user.default_clinic_id,
        "supervising_therapist_id": record.supervising_therapist_id,
        "practice_role": role.role.value,
        "clinical_role": role.clinical_role.value if role.clinical_role else None,
        "permission_level": permission_level_of(user, catalog).value,
    }
