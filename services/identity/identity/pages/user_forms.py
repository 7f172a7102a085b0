"""The User Manager's console forms: read a posted form into the use cases' own terms, and
word a profile's recognition for the page. No rule lives here: the use cases decide."""

from __future__ import annotations

from flask import request

from identity.domain.profile_recognition import ProfileKind, ProfileRecognition
from identity.domain.roles import ClinicalRole, PermissionLevel, PracticeRole
from identity.domain.user_edits import KEEP, ProfileEdit
from identity.pages.home import PERMISSION_NAMES
from identity.pages.local_times import practice_time
from identity.service_layer.users import UserView
from servicekit.web.pages import MAX_NAME, field

PRACTICE_ROLES = [(r.value, r.value.replace("_", " / ").capitalize()
                   if r is PracticeRole.OWNER_MANAGER else r.value.replace("_", " ").capitalize())
                  for r in PracticeRole]
CLINICAL_ROLES = [(r.value, r.value.replace("_", " ").capitalize()) for r in ClinicalRole]
PERMISSION_LEVELS = [(level.value, level.value.capitalize()) for level in PermissionLevel]
ID = 64  # ids are uuids; anything longer is not one of ours


def chosen(name: str, allowed: set[str]) -> list[str]:
    """The checked boxes of ``name`` that are among ``allowed`` (others are ignored)."""
    return sorted({v for v in request.form.getlist(name)[:50] if v in allowed})


def acting_clinic() -> str | None:
    return field("acting_clinic_id", ID) or None


def recognition_label(recognition: ProfileRecognition, vendor_name: str) -> str:
    """How the console words whether the practice recognizes a profile (seeds/002)."""
    kind = recognition.kind
    if kind is ProfileKind.VENDOR_AUTOMATION:
        return (f"{vendor_name}'s automation profile: it must stay active and does not "
                "count toward your licensed seats")
    if kind is ProfileKind.VENDOR_STAFF and recognition.grant is not None:
        grant = recognition.grant
        return (f"{vendor_name} staff with access for: {grant.purpose} "
                f"(until {practice_time(grant.ends_at)})")
    if kind is ProfileKind.PRACTICE_STAFF:
        return f"Your staff (recognized domain {recognition.domain})"
    return unrecognized_reason(recognition, vendor_name)


def unrecognized_reason(recognition: ProfileRecognition, vendor_name: str) -> str:
    if recognition.reason == "vendor_profile_without_grant":
        return (f"{vendor_name}'s domain, but neither its automation profile nor covered by "
                "an active access grant")
    return (f"The domain {recognition.domain or '(none)'} is not one your practice "
            "recognizes")


def profile_edit(view: UserView, clinic_ids: set[str]) -> ProfileEdit:
    """The edit form as a ProfileEdit: a field sent as it already is stays KEEP, so an
    untouched field never trips a rule about it."""
    role = view.role
    sent = {
        "full_name": field("full_name", MAX_NAME),
        "clinic_ids": frozenset(chosen("clinic_ids", clinic_ids)),
        "default_clinic_id": field("default_clinic_id", ID) or None,
        "supervising_therapist_id": field("supervising_therapist_id", ID) or None,
        "practice_role": field("practice_role", ID) or None,
        "clinical_role": field("clinical_role", ID) or None,
        "permission_level": field("permission_level", ID) or None,
    }
    current = {
        "full_name": view.user.full_name,
        "clinic_ids": frozenset(view.clinic_ids),
        "default_clinic_id": view.user.default_clinic_id,
        "supervising_therapist_id": view.supervising_therapist_id,
        "practice_role": role.role.value if role else None,
        "clinical_role": role.clinical_role.value if role and role.clinical_role else None,
        "permission_level": view.permission_level.value if view.permission_level else None,
    }
    if sent["practice_role"] not in {r for r, _ in PRACTICE_ROLES}:
        sent["practice_role"] = current["practice_role"]
    if sent["clinical_role"] not in {r for r, _ in CLINICAL_ROLES}:
        sent["clinical_role"] = None
    if sent["permission_level"] not in {p for p, _ in PERMISSION_LEVELS}:
        sent["permission_level"] = current["permission_level"]
    return ProfileEdit(**{name: KEEP if value == current[name] else value
                          for name, value in sent.items()})


def permission_choice(held: frozenset[str]) -> tuple[list[str], list[str]]:
    """(grant, revoke) from the permission checkboxes against what the user holds now."""
    wanted = set(chosen("permissions", set(PERMISSION_NAMES)))
    return sorted(wanted - held), sorted(held - wanted)
