"""The practice's Admin-only settings areas, as the dental seed lists them.

"Permissions can be set as Admin or User ... where Admin has View and/or Edit permissions
to a page this means that User cannot View and/or Edit for this feature/page": practice
info, integrations, digital treatment plan settings (item codes, price buttons, SMS and
reminder templates), web chat and digests are seen and changed by Admins only. Admin is
the manage_users permission (staff_roles.permission_level_of), in every kind of practice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from identity.domain.catalog import UserTypeCatalog
from identity.domain.errors import AdminOnly, InvalidRequest
from identity.domain.permissions import MANAGE_USERS
from identity.domain.profile_rules import require_may_act
from identity.domain.roles import PermissionLevel
from identity.domain.staff_roles import permission_level_of
from identity.domain.users import Actor


class SettingsArea(StrEnum):
    PRACTICE_INFO = "practice_info"
    INTEGRATIONS = "integrations"
    TREATMENT_PLAN = "treatment_plan_settings"
    WEBCHAT = "webchat"
    DIGESTS = "digests"
    SECURITY = "security"


AREA_WORDS = {
    SettingsArea.PRACTICE_INFO: "the practice info",
    SettingsArea.INTEGRATIONS: "the practice's integrations",
    SettingsArea.TREATMENT_PLAN: "the digital treatment plan settings (item codes, price "
                                 "buttons, SMS and reminder templates)",
    SettingsArea.WEBCHAT: "the web chat settings",
    SettingsArea.DIGESTS: "the practice digest settings",
    SettingsArea.SECURITY: "the practice's sign-in security (second factor for all staff)",
}


def require_admin(actor: Actor, practice_id: str, area: SettingsArea,
                  catalog: UserTypeCatalog, now: datetime) -> None:
    """Only an active Admin of this practice sees or changes an Admin-only area."""
    require_may_act(actor, practice_id, now)
    if permission_level_of(actor.user, catalog) is not PermissionLevel.ADMIN:
        raise AdminOnly(
            f"Only an Admin of your practice can see and change {AREA_WORDS[area]}. Ask an "
            "Admin to make the change, or to make you an Admin.",
            {"area": area.value, "required_permission_level": PermissionLevel.ADMIN.value,
             "required_permission": MANAGE_USERS})


class DigestFrequency(StrEnum):
    WEEKLY = "weekly"  # the seed: "weekly by default and daily if selected"
    DAILY = "daily"


INTEGRATION_KINDS = ("practice_management", "imaging", "payments", "sms", "reviews")

DEFAULTS: dict[SettingsArea, dict[str, Any]] = {
    SettingsArea.PRACTICE_INFO: {"phone": None, "email": None, "website": None,
                                 "address": None},
    SettingsArea.INTEGRATIONS: {"integrations": []},
    SettingsArea.TREATMENT_PLAN: {"item_codes": [], "price_buttons": [], "sms_templates": [],
                                  "reminder_templates": []},
    SettingsArea.WEBCHAT: {"enabled": False, "greeting": "Hi! How can we help you today?",
                           "offline_message": "We're away right now. Leave a message and "
                                              "we'll reply when the practice opens.",
                           "accent_colour": "#1f6feb", "allowed_origins": []},
    SettingsArea.DIGESTS: {"frequency": DigestFrequency.WEEKLY.value},
    # User Managers always sign in with a second factor; this asks it of every staff member.
    SettingsArea.SECURITY: {"require_second_factor": False},
}


def current_settings(area: SettingsArea, stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """The stored settings over the area's defaults (an area never saved is all defaults)."""
    return {**DEFAULTS[area], **(stored or {})}


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def check_integrations(integrations: list[Mapping[str, Any]]) -> None:
    """One entry per kind of integration: two practice management systems cannot both sync."""
    kinds = [i["kind"] for i in integrations]
    repeated = sorted({k for k in kinds if kinds.count(k) > 1})
    if repeated:
        raise InvalidRequest("List each kind of integration once; change the entry you have "
                             "instead of adding a second.",
                             {"field": "integrations", "repeated_kinds": repeated})
