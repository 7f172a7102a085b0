"""Roles in a practice (the dental vocabulary): what each one lands on, sees and hears about
by default. The defaults are data (role_profiles.json, from the dental seed).

Permission level is separate from role: an Admin (any role) sees and edits the practice
settings areas and manages staff; a User does neither. Admin is the manage_users power.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from identity.domain.errors import NotAllowed
from identity.domain.role_profiles import load_role_profiles


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


class InsightScope(StrEnum):
    PRACTICE = "practice"  # the whole practice
    OWN_PATIENTS = "own_patients"  # patients where the person is the assigned practitioner
    NONE = "none"


CLINICAL_INSIGHTS, PATIENT_REPORTS, PATIENT_ENGAGEMENT = (
    "clinical_insights", "patient_reports", "patient_engagement")
# The seed's Admin-only list, as /me shows it. Each is enforced where it lives, on the
# permission level (manage_users), not on this list: practice_settings.require_admin (the
# settings areas, named as SettingsArea), profile_rules.require_user_manager (users), and
# notes for a dental practice's patient records.
# "security" (whether the practice asks every member for a second factor) is the
# platform's own, not the seed's.
ADMIN_AREAS = frozenset({"practice_info", "users", "patient_records", "integrations",
                         "treatment_plan_settings", "webchat", "digests", "security"})


@dataclass(frozen=True)
class RoleProfile:
    landing_page: str
    insights: Mapping[str, InsightScope]
    notifications: frozenset[str]  # on by default
    digests: frozenset[str]  # on by default
    digests_available: frozenset[str]  # may be turned on; empty: none for this role
    admin_areas: frozenset[str]  # areas this person both sees and edits
    # May be turned on (the defaults among them); whose events: practice or own_patients.
    notifications_available: frozenset[str] = frozenset()
    notification_scope: str = "practice"

    def may_see_insight(self, insight: str, *, own_patient: bool) -> bool:
        """Whether this insight, about a patient of theirs or not, is shown to the person."""
        scope = self.insights.get(insight, InsightScope.NONE)
        return scope is InsightScope.PRACTICE or (scope is InsightScope.OWN_PATIENTS
                                                  and own_patient)

    def require_insight(self, insight: str, *, own_patient: bool) -> None:
        if not self.may_see_insight(insight, own_patient=own_patient):
            where = ("for patients where you are the assigned practitioner only"
                     if self.insights.get(insight) is InsightScope.OWN_PATIENTS
                     else "not for your role")
            raise NotAllowed(f"{insight.replace('_', ' ').capitalize()} are shown {where}.",
                             {"insight": insight})


def default_permission_level(role: PracticeRole) -> PermissionLevel:
    return PermissionLevel(load_role_profiles().roles[role.value].default_permission_level)


def role_profile(role: PracticeRole, level: PermissionLevel, *,
                 integrated: bool = True) -> RoleProfile:
    """The role's defaults at a permission level; `integrated`: the practice has an
    integration (a practitioner lands on synced patients, else on case presentations)."""
    data = load_role_profiles()
    defaults = data.roles[role.value]
    admin = level is PermissionLevel.ADMIN
    available = frozenset(code for code in defaults.available_digests
                          if admin or not data.digests[code].admin_only)
    return RoleProfile(
        landing_page=defaults.landing_integrated if integrated
        else defaults.landing_not_integrated,
        insights={name: InsightScope(scope) for name, scope in defaults.insights.items()},
        notifications=defaults.notifications,
        digests=defaults.default_digests & available,
        digests_available=available,
        admin_areas=ADMIN_AREAS if admin else frozenset(),
        notifications_available=defaults.available_notifications,
        notification_scope=defaults.notification_scope,
    )
