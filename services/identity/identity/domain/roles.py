"""Roles in a dental practice: what each one lands on, sees and hears about by default.

Permission level is separate from role: an Admin (any role) sees and edits the practice
settings areas and manages staff; a User does neither. Admin is the manage_users power.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from identity.domain.errors import NotAllowed


class PracticeRole(StrEnum):
    OWNER_MANAGER = "owner_manager"
    PRACTITIONER = "practitioner"
    FRONT_DESK = "front_desk"


class PermissionLevel(StrEnum):
    ADMIN = "admin"
    USER = "user"


class ClinicalRole(StrEnum):
    DENTIST = "dentist"
    HYGIENIST = "hygienist"
    ORAL_HEALTH_THERAPIST = "oral_health_therapist"
    OTHER = "other"


class InsightVisibility(StrEnum):
    ALL = "all"
    OWN_PATIENTS_CLINICAL = "own_patients_clinical"
    NONE = "none"


ADMIN_AREAS = frozenset({"practice_info", "users", "integrations", "templates", "digests"})


@dataclass(frozen=True)
class RoleProfile:
    landing_page: str
    insights: InsightVisibility
    notifications: frozenset[str]
    digests: frozenset[str]
    admin_areas: frozenset[str]  # areas this person both sees and edits

    def may_see_insight(self, *, clinical: bool, own_patient: bool) -> bool:
        """Owners see every insight; practitioners clinical ones on their own patients."""
        if self.insights is InsightVisibility.ALL:
            return True
        if self.insights is InsightVisibility.OWN_PATIENTS_CLINICAL:
            return clinical and own_patient
        return False

    def require_admin_area(self, area: str) -> None:
        if area not in self.admin_areas:
            raise NotAllowed(
                f"Only Admins see and edit {area.replace('_', ' ')}. Ask an Admin of your "
                "practice.",
                {"area": area},
            )


_BY_ROLE = {
    PracticeRole.OWNER_MANAGER: (
        "patient_engagement",
        InsightVisibility.ALL,
        {"online_bookings", "new_reviews", "integration_problems"},
        {"daily_practice_summary", "weekly_performance"},
    ),
    PracticeRole.PRACTITIONER: (
        "patient_list",
        InsightVisibility.OWN_PATIENTS_CLINICAL,
        {"own_patient_messages", "own_appointment_changes"},
        {"daily_schedule"},
    ),
    PracticeRole.FRONT_DESK: (
        "conversations",
        InsightVisibility.NONE,
        {"new_conversations", "online_bookings", "appointment_changes"},
        {"daily_schedule"},
    ),
}


def default_permission_level(role: PracticeRole) -> PermissionLevel:
    return PermissionLevel.ADMIN if role is PracticeRole.OWNER_MANAGER else PermissionLevel.USER


def role_profile(role: PracticeRole, level: PermissionLevel) -> RoleProfile:
    landing, insights, notifications, digests = _BY_ROLE[role]
    return RoleProfile(
        landing_page=landing,
        insights=insights,
        notifications=frozenset(notifications),
        digests=frozenset(digests),
        admin_areas=ADMIN_AREAS if level is PermissionLevel.ADMIN else frozenset(),
    )
