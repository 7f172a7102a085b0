"""Keep identity's projection current: the handler of the notes.identity subscription."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from notes.adapters.projection import ACTIVE, DEACTIVATED, IdentityProjection
from notes.domain.catalog import UserTypes, load_user_types
from notes.service_layer.billing_exports import release_held_exports
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Event

log = logging.getLogger("notes.identity_events")

_USER_TYPES: UserTypes | None = None


def _user_types() -> UserTypes:
    global _USER_TYPES  # read once per process; the file ships with the package
    if _USER_TYPES is None:
        _USER_TYPES = load_user_types()
    return _USER_TYPES


def handle_identity_event(uow: UnitOfWork, event: Event) -> None:
    """Apply one identity event to the projection (inside the consumer's unit of work)."""
    apply = _HANDLERS.get(event.type)
    if apply is None or event.org_id is None:
        return  # sessions, password changes and the like do not concern notes
    apply(IdentityProjection(uow.session), event, event.org_id, event.data)


def _profile(data: dict[str, Any]) -> dict[str, Any]:
    user_type = data.get("user_type")
    if user_type is not None and user_type not in _user_types().by_code:
        log.warning("unknown user type; treated as clerical", extra={"user_type": user_type})
    return {"user_type": user_type, "category": _user_types().category_of(user_type).value}


def _practice_created(projection: IdentityProjection, event: Event, org_id: str,
                      data: dict[str, Any]) -> None:
    at = event.occurred_at
    # Only what the event says: a later billing integration event must not be undone.
    extra = {"billing_integration": data["billing_integration"]} if (
        "billing_integration" in data) else {}
    row = projection.practice_row(org_id)
    if row is None or row["name"] is None or row["updated_at"] <= at:
        extra["name"] = data.get("name")  # a rename that overtook the creation keeps its name
    # A practice created before identity named models is a therapy practice.
    projection.save_practice(org_id, at, model=data.get("model", "therapy"), **extra)
    for clinic in data.get("clinics", []):
        _save_clinic(projection, clinic["id"], org_id, at, clinic)
    robot = data.get("automation_profile")
    if robot:
        projection.save_user(
            robot["id"], org_id, at, full_name=robot["full_name"], email=robot.get("email"),
            kind="automation", **_profile(robot))


def _clinic_created(projection: IdentityProjection, event: Event, org_id: str,
                    data: dict[str, Any]) -> None:
    _save_clinic(projection, event.subject.id, org_id, event.occurred_at, data)


def _save_clinic(projection: IdentityProjection, clinic_id: str, org_id: str, at: datetime,
                 clinic: dict[str, Any]) -> None:
    """A clinic as identity announces it: with its practice or added later, same shape."""
    projection.save_clinic_settings(
        clinic_id, org_id, at, name=clinic.get("name"), time_zone=clinic.get("time_zone"),
        assistants_may_finalize=bool(clinic.get("assistants_may_finalize", False)))


def _user_created(projection: IdentityProjection, event: Event, org_id: str,
                  data: dict[str, Any]) -> None:
    # The supervisor of an assistant or student, and the name, when identity names them;
    # an edit that overtook the creation on the bus keeps its newer ones.
    row = projection.user_row(event.subject.id)
    edited_later = row is not None and row["updated_at"] > event.occurred_at
    later = {} if edited_later else {
        "full_name": data["full_name"],
        "supervising_therapist_id": data.get("supervising_therapist_id")}
    if row is not None and edited_later and row["full_name"] is None:
        later["full_name"] = data["full_name"]
    projection.save_user(
        event.subject.id, org_id, event.occurred_at, **later,
        email=data.get("email"), kind=data.get("kind", "staff"),
        permissions=data.get("permissions", []),
        permission_version=data.get("permission_version", 0), **_profile(data))


def _profile_changed(projection: IdentityProjection, event: Event, org_id: str,
                     data: dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    if "user_type_after" in data:
        extra = _profile({"user_type": data["user_type_after"]})
    if "supervising_therapist_id" in data:
        extra["supervising_therapist_id"] = data["supervising_therapist_id"]
    if "full_name" in data:  # an edit or a reactivation names the person as they are now
        extra["full_name"] = data["full_name"]
    if event.type == "identity.user.deactivated":
        extra["status"] = DEACTIVATED
    if event.type == "identity.user.reactivated":
        extra["status"] = ACTIVE
    projection.save_user(
        event.subject.id, org_id, event.occurred_at,
        permissions=data.get("after", {}).get("permissions"),
        permission_version=data.get("permission_version"), **extra)


def _clinic_settings_changed(projection: IdentityProjection, event: Event, org_id: str,
                             data: dict[str, Any]) -> None:
    after = data.get("after", {})
    if "assistants_may_finalize" in after:  # identity sends every setting, changed or not
        projection.save_clinic_settings(
            event.subject.id, org_id, event.occurred_at,
            assistants_may_finalize=bool(after["assistants_may_finalize"]),
            time_zone=after.get("time_zone"))


def _billing_integration_changed(projection: IdentityProjection, event: Event, org_id: str,
                                 data: dict[str, Any]) -> None:
    before = projection.billing_integration(org_id)
    projection.save_practice(org_id, event.occurred_at,
                             billing_integration=data.get("billing_integration"))
    # An assistant who just became a provider: their held notes go to billing now.
    release_held_exports(projection.session, org_id, before,
                         projection.billing_integration(org_id), datetime.now(UTC))


def _practice_info_changed(projection: IdentityProjection, event: Event, org_id: str,
                           data: dict[str, Any]) -> None:
    if "name" in data:  # an Admin renamed the practice (PUT /practice in identity)
        projection.save_practice(org_id, event.occurred_at, name=data["name"])


_HANDLERS: dict[str, Callable[[IdentityProjection, Event, str, dict[str, Any]], None]] = {
    "identity.practice.created": _practice_created,
    "identity.user.created": _user_created,
    "identity.user.permissions_changed": _profile_changed,
    "identity.user.type_changed": _profile_changed,
    "identity.user.deactivated": _profile_changed,
    "identity.user.reactivated": _profile_changed,
    # Name, clinics, supervisor, role: clinics and role raise the version, so older tokens
    # stop; a new supervisor lets the assistant's next finalization through the gate.
    "identity.user.updated": _profile_changed,
    "identity.password.reset": _profile_changed,  # bumps pv: older tokens stop
    "identity.user.password_set": _profile_changed,  # likewise when it replaced a password
    "identity.clinic.created": _clinic_created,
    "identity.clinic.settings_changed": _clinic_settings_changed,
    # Sent by identity when a practice admin sets its billing integration.
    "identity.practice.billing_integration_changed": _billing_integration_changed,
    "identity.practice.info_changed": _practice_info_changed,
}
