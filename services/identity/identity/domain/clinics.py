"""Clinics (locations) of a practice and the settings a User Manager may change."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from identity.domain import profile_rules as rules
from identity.domain.catalog import UserTypeCatalog
from identity.domain.errors import InvalidRequest, StateConflict
from identity.domain.users import Actor

# The notes service reads assistants_may_finalize from the settings event: the first of the
# three conditions under which an assistant may finalize a note (on by default). time_zone is
# the IANA name in which the clinic's times are shown (staff pages, note PDFs, the portal).
SETTINGS = frozenset({"assistants_may_finalize", "time_zone"})
#: What a clinic shows until a User Manager sets its zone: clinics that predate the setting
#: showed UTC, and a practice's first clinic takes it unless created with another.
DEFAULT_TIME_ZONE = "UTC"


@dataclass(frozen=True)
class Clinic:
    id: str
    practice_id: str
    name: str
    assistants_may_finalize: bool = True
    time_zone: str = DEFAULT_TIME_ZONE

    def settings(self) -> dict[str, Any]:
        return {"assistants_may_finalize": self.assistants_may_finalize,
                "time_zone": self.time_zone}


def valid_time_zone(name: Any) -> str:
    """An IANA time zone name this machine's zone database knows ("America/New_York")."""
    # Area/Location names and UTC only: ZoneInfo also opens legacy names such as "EST", whose
    # meaning (no daylight saving time) is rarely what a clinic means.
    if isinstance(name, str) and (name == "UTC" or "/" in name.strip("/")):
        try:
            ZoneInfo(name)
            return name
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    raise InvalidRequest(
        "Give the clinic's time zone as an IANA name such as America/New_York, "
        "Europe/London or UTC.", {"field": "time_zone", "value": str(name)[:64]})


def new_clinic(
    actor: Actor, practice_id: str, name: str, existing: Iterable[Clinic], *, clinic_id: str,
    settings: Mapping[str, Any] | None = None, catalog: UserTypeCatalog, now: datetime,
) -> Clinic:
    """Open another clinic (location) of the practice as a User Manager of it.

    Settings left out take the same defaults as the practice's first clinic.
    """
    rules.require_may_act(actor, practice_id, now)
    rules.require_user_manager(actor, catalog)
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidRequest("Give the clinic a name of 1 to 200 characters.", {"field": "name"})
    # Staff pick a clinic by its name, so two that differ only in case would be confused.
    taken = [c for c in existing
             if c.practice_id == practice_id and c.name.strip().casefold() == name.casefold()]
    if taken:
        raise StateConflict(
            f"Your practice already has a clinic named {taken[0].name!r}. "
            "Pick another name for the new clinic.",
            {"name": name, "clinic_id": taken[0].id},
        )
    # A new location is most likely where the others are: their zone when they share one.
    zones = {c.time_zone for c in existing if c.practice_id == practice_id}
    clinic = Clinic(id=clinic_id, practice_id=practice_id, name=name,
                    time_zone=zones.pop() if len(zones) == 1 else DEFAULT_TIME_ZONE)
    return replace(clinic, **_valid_settings(settings or {}, required=False))


def change_clinic_settings(
    actor: Actor, clinic: Clinic, changes: dict[str, Any], *, catalog: UserTypeCatalog, now: Any
) -> Clinic:
    """Apply ``changes`` to the clinic's settings as a User Manager of its practice."""
    rules.require_may_act(actor, clinic.practice_id, now)
    rules.require_user_manager(actor, catalog)
    return replace(clinic, **_valid_settings(changes, required=True))


def _valid_settings(values: Mapping[str, Any], *, required: bool) -> dict[str, Any]:
    unknown = sorted(set(values) - SETTINGS)
    if unknown or (required and not values):
        raise InvalidRequest(
            f"Change one or more of the clinic settings: {', '.join(sorted(SETTINGS))}.",
            {"unknown": unknown, "known": sorted(SETTINGS)},
        )
    switches = {k: v for k, v in values.items() if k != "time_zone"}
    if not all(isinstance(v, bool) for v in switches.values()):
        raise InvalidRequest("Clinic settings are on or off (true or false).")
    if "time_zone" in values:
        switches["time_zone"] = valid_time_zone(values["time_zone"])
    return switches
