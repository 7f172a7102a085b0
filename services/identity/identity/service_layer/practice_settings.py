"""An Admin reads or replaces one of the practice's Admin-only settings areas.

Each change is published with facts other services may act on and no settings text: who
changed which area and which fields, never template bodies or contact details.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from identity.adapters.practice_settings_repository import PracticeSettingsRepository
from identity.adapters.repository import IdentityRepository
from identity.domain.catalog import UserTypeCatalog
from identity.domain.practice_settings import (
    SettingsArea,
    changed_fields,
    check_integrations,
    current_settings,
    require_admin,
)
from identity.domain.treatment_plan_settings import check_treatment_plan_settings
from identity.events.practices import (
    PRACTICE_DIGEST_SETTINGS_CHANGED,
    PRACTICE_INFO_CHANGED,
    PRACTICE_INTEGRATIONS_CHANGED,
    PRACTICE_SECURITY_CHANGED,
    PRACTICE_TREATMENT_PLAN_SETTINGS_CHANGED,
    PRACTICE_WEBCHAT_CHANGED,
)
from identity.service_layer.callers import Caller, event_actor, load_actor
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject

EVENT_TYPES = {
    SettingsArea.PRACTICE_INFO: PRACTICE_INFO_CHANGED,
    SettingsArea.INTEGRATIONS: PRACTICE_INTEGRATIONS_CHANGED,
    SettingsArea.TREATMENT_PLAN: PRACTICE_TREATMENT_PLAN_SETTINGS_CHANGED,
    SettingsArea.WEBCHAT: PRACTICE_WEBCHAT_CHANGED,
    SettingsArea.DIGESTS: PRACTICE_DIGEST_SETTINGS_CHANGED,
    SettingsArea.SECURITY: PRACTICE_SECURITY_CHANGED,
}

_CHECKS: dict[SettingsArea, Callable[[Mapping[str, Any]], None]] = {
    SettingsArea.INTEGRATIONS: lambda s: check_integrations(s["integrations"]),
    SettingsArea.TREATMENT_PLAN: check_treatment_plan_settings,
}


def _read(repo: IdentityRepository, area: SettingsArea, practice_id: str) -> dict[str, Any]:
    settings = current_settings(area, PracticeSettingsRepository(repo.session).stored(
        practice_id, area.value))
    if area is SettingsArea.PRACTICE_INFO:  # the name lives on the practice itself
        settings = {"name": repo.practice(practice_id).name, **settings}
    return settings


def practice_settings(uow: UnitOfWork, caller: Caller, area: SettingsArea, *,
                      catalog: UserTypeCatalog, now: datetime) -> dict[str, Any]:
    """The area as it stands (its defaults until an Admin saves it), for Admins only."""
    with uow:
        repo = IdentityRepository(uow.session)
        require_admin(load_actor(repo, caller, now), caller.org_id, area, catalog, now)
        return _read(repo, area, caller.org_id)


def change_practice_settings(
    uow: UnitOfWork, caller: Caller, area: SettingsArea, settings: Mapping[str, Any], *,
    catalog: UserTypeCatalog, now: datetime,
) -> dict[str, Any]:
    """Replace the area (Admins only); settings equal to the stored ones emit nothing."""
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller, now)
        require_admin(actor, caller.org_id, area, catalog, now)
        _CHECKS.get(area, lambda _: None)(settings)
        repo.hold_practice(caller.org_id)  # one change to an area at a time
        before = _read(repo, area, caller.org_id)
        after = current_settings(area, settings)
        if area is SettingsArea.PRACTICE_INFO:
            after = {"name": settings["name"], **after}
        changed = changed_fields(before, after)
        if not changed:
            return before
        store = PracticeSettingsRepository(uow.session)
        if area is SettingsArea.PRACTICE_INFO:
            store.rename_practice(caller.org_id, after["name"])
        store.save(caller.org_id, area.value, {k: v for k, v in after.items() if k != "name"},
                   updated_by=actor.user.id, now=now)
        uow.publish(EVENT_TYPES[area].event(
            subject=Subject("practice", caller.org_id),
            org_id=caller.org_id, actor=event_actor(actor.user), occurred_at=now,
            data={"changed_fields": changed, **_FACTS.get(area, lambda _b, _a: {})(before, after)}))
        uow.commit()
    return after


def _integration_facts(_before: dict, after: dict) -> dict[str, Any]:
    return {"integrations": [{"kind": i["kind"], "provider": i["provider"],
                              "enabled": i["enabled"]} for i in after["integrations"]]}


def _treatment_plan_facts(_before: dict, after: dict) -> dict[str, Any]:
    return {"counts": {field: len(after[field]) for field in
                       ("item_codes", "price_buttons", "sms_templates", "reminder_templates")}}


_FACTS: dict[SettingsArea, Callable[[dict, dict], dict[str, Any]]] = {
    # The practice's name is no PHI; notes and docportal name the practice with it.
    SettingsArea.PRACTICE_INFO: lambda _b, a: {"name": a["name"]},
    SettingsArea.INTEGRATIONS: _integration_facts,
    SettingsArea.TREATMENT_PLAN: _treatment_plan_facts,
    SettingsArea.WEBCHAT: lambda _b, a: {"enabled": a["enabled"]},
    SettingsArea.DIGESTS: lambda b, a: {"frequency": a["frequency"],
                                        "before": {"frequency": b["frequency"]},
                                        "after": {"frequency": a["frequency"]}},
    SettingsArea.SECURITY: lambda _b, a: {
        "require_second_factor": a["require_second_factor"]},
}
