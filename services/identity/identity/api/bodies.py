"""Domain values to response bodies."""

from __future__ import annotations

from typing import Any

from identity.adapters.practitioner_directory import PractitionerEntry
from identity.domain.catalog import UserType
from identity.domain.clinics import Clinic
from identity.service_layer.users import UserView


def user_body(view: UserView) -> dict[str, Any]:
    user = view.user
    body: dict[str, Any] = {
        "id": user.id, "email": user.email, "full_name": user.full_name,
        "user_type": user.user_type, "kind": user.kind.value,
        "status": "active" if user.active else "inactive",
        "default_clinic_id": user.default_clinic_id, "clinics": list(view.clinic_ids),
        "supervising_therapist_id": view.supervising_therapist_id,
        "permission_version": user.permission_version, "created_at": view.created_at,
        "practice_role": view.role.role.value if view.role else None,
        "clinical_role": view.role.clinical_role.value
        if view.role and view.role.clinical_role else None,
    }
    if view.permission_level is not None:
        body["permission_level"] = view.permission_level.value
    if view.permissions is not None:
        body["permissions"] = sorted(view.permissions)
        body["granted"] = sorted(user.overrides.granted)
        body["revoked"] = sorted(user.overrides.revoked)
    return body


def clinic_body(clinic: Clinic) -> dict[str, Any]:
    return {"id": clinic.id, "name": clinic.name, "settings": clinic.settings()}


def user_type_body(user_type: UserType) -> dict[str, Any]:
    return {
        "code": user_type.code, "name": user_type.name, "category": user_type.category,
        "discipline": user_type.discipline,
        "default_permissions": sorted(user_type.default_permissions),
        "cpt_codes": list(user_type.cpt_codes),
        "counts_toward_seats": user_type.counts_toward_seats, "may_bill": user_type.may_bill,
        "may_write_notes": user_type.may_write_notes,
        "billing_codes": user_type.billing_codes, "practice_model": user_type.practice_model,
        "practice_role": user_type.practice_role, "clinical_role": user_type.clinical_role,
    }


def practitioner_body(entry: PractitionerEntry) -> dict[str, Any]:
    user = None
    if entry.user_id is not None:
        user = {"id": entry.user_id, "full_name": entry.user_full_name,
                "status": entry.user_status}
    return {"id": entry.id, "name": entry.name, "linked": user is not None, "user": user,
            "clinical_role": entry.clinical_role, "clinic_ids": list(entry.clinic_ids),
            "invitation_id": entry.invitation_id, "created_at": entry.created_at}
