"""The role profiles as data (role_profiles.json): what each role in practice lands on,
which insights it sees, and which notifications and digests it gets by default.

The file follows the dental seed's words; the loader refuses one that names an unknown
insight, notification or digest, or a default digest that cannot be turned on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from identity.domain.errors import CatalogInvalid

PROFILES_FILE = Path(__file__).with_name("role_profiles.json")
INSIGHT_SCOPES = frozenset({"practice", "own_patients", "none"})
# Whose events a role may be notified of: the whole practice's, or its own patients' only.
NOTIFICATION_SCOPES = frozenset({"practice", "own_patients"})


@dataclass(frozen=True)
class DigestKind:
    code: str
    name: str
    admin_only: bool  # the seed: only Admins receive Practice Digests
    frequencies: tuple[str, ...]
    default_frequency: str | None


@dataclass(frozen=True)
class RoleDefaults:
    role: str
    name: str
    landing_integrated: str
    landing_not_integrated: str
    insights: Mapping[str, str]  # insight -> practice, own_patients or none
    notifications: frozenset[str]
    available_notifications: frozenset[str]  # what the person may turn on
    notification_scope: str  # practice or own_patients
    default_digests: frozenset[str]
    available_digests: frozenset[str]
    default_permission_level: str


@dataclass(frozen=True)
class RoleProfiles:
    insights: Mapping[str, str]
    notifications: Mapping[str, str]
    digests: Mapping[str, DigestKind]
    roles: Mapping[str, RoleDefaults]


@cache
def load_role_profiles(path: Path = PROFILES_FILE) -> RoleProfiles:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogInvalid(f"Cannot read the role profiles {path}: {exc}") from exc
    return role_profiles_from_data(raw)


def role_profiles_from_data(raw: Mapping[str, Any]) -> RoleProfiles:
    insights, notifications = dict(raw["insights"]), dict(raw["notifications"])
    digests = {code: DigestKind(code, d["name"], bool(d["admin_only"]),
                                tuple(d["frequencies"]), d["default_frequency"])
               for code, d in raw["digests"].items()}
    roles = {role: _role(role, entry, insights, notifications, digests)
             for role, entry in raw["roles"].items()}
    return RoleProfiles(insights, notifications, digests, roles)


def _role(role: str, entry: Mapping[str, Any], insights: Mapping[str, str],
          notifications: Mapping[str, str], digests: Mapping[str, DigestKind]) -> RoleDefaults:
    seen = dict(entry["insights"])
    if set(seen) != set(insights) or not set(seen.values()) <= INSIGHT_SCOPES:
        raise CatalogInvalid(f"role {role!r}: give every insight ({', '.join(insights)}) one "
                             f"of {', '.join(sorted(INSIGHT_SCOPES))}.")
    on, offered = _notifications(role, entry, notifications)
    default, available = frozenset(entry["digests"]["default"]), frozenset(
        entry["digests"]["available"])
    if not available <= set(digests) or not default <= available:
        raise CatalogInvalid(f"role {role!r}: a default digest must be a known, available one.")
    return RoleDefaults(
        role=role, name=entry["name"],
        landing_integrated=entry["landing_page"]["integrated"],
        landing_not_integrated=entry["landing_page"]["not_integrated"],
        insights=seen, notifications=on, available_notifications=offered,
        notification_scope=entry.get("notification_scope", "practice"),
        default_digests=default, available_digests=available,
        default_permission_level=entry["default_permission_level"],
    )


def _notifications(role: str, entry: Mapping[str, Any], notifications: Mapping[str, str]
                   ) -> tuple[frozenset[str], frozenset[str]]:
    """The role's default notifications and those it may turn on (the defaults at least)."""
    on = frozenset(entry["notifications"])
    offered = frozenset(entry.get("notifications_available", on))
    unknown = (on | offered) - set(notifications)
    if unknown:
        raise CatalogInvalid(f"role {role!r}: unknown notification(s) {sorted(unknown)}.")
    if not on <= offered:
        raise CatalogInvalid(f"role {role!r}: a default notification must be an available one.")
    if entry.get("notification_scope", "practice") not in NOTIFICATION_SCOPES:
        raise CatalogInvalid(f"role {role!r}: notification_scope is one of "
                             f"{', '.join(sorted(NOTIFICATION_SCOPES))}.")
    return on, offered
