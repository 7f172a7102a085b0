"""Clinics (locations) of a practice and the settings a User Manager may change."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from identity.domain import profile_rules as rules
from identity.domain.catalog import UserTypeCatalog
from identity.domain.errors import InvalidRequest
from identity.domain.users import Actor

# The notes service reads this one from the settings event: the first of the three
# conditions under which an assistant may finalize a note (on by default).
SETTINGS = frozenset({"assistants_may_finalize"})


@dataclass(frozen=True)
class Clinic:
    id: str
    practice_id: str
    name: str
    assistants_may_finalize: bool = True

    def settings(self) -> dict[str, Any]:
        return {"assistants_may_finalize": self.assistants_may_finalize}


def change_clinic_settings(
    actor: Actor, clinic: Clinic, changes: dict[str, Any], *, catalog: UserTypeCatalog, now: Any
) -> Clinic:
    """Apply ``changes`` to the clinic's settings as a User Manager of its practice."""
    rules.require_may_act(actor, clinic.practice_id, now)
    rules.require_user_manager(actor, catalog)
    unknown = sorted(set(changes) - SETTINGS)
    if unknown or not changes:
        raise InvalidRequest(
            f"Change one or more of the clinic settings: {', '.join(sorted(SETTINGS))}.",
            {"unknown": unknown, "known": sorted(SETTINGS)},
        )
    if not all(isinstance(v, bool) for v in changes.values()):
        raise InvalidRequest("Clinic settings are on or off (true or false).")
    return replace(clinic, **changes)
