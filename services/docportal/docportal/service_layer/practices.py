"""What docportal keeps from identity's events: the practice names the share email is signed
with, and the clinic time zones the portal shows a practice's times in."""

from datetime import UTC, datetime

from docportal.adapters.clinic_time_zones import ClinicTimeZones
from docportal.adapters.repository import PracticeNames
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Event

#: The queue of docportal's subscription to identity, and what it is bound to.
QUEUE = "docportal.identity"
BINDINGS = ("identity.practice.created", "identity.clinic.created",
            "identity.clinic.settings_changed")


def record_identity_event(uow: UnitOfWork, event: Event) -> None:
    """Consumer handler (run inside the consumer's unit of work)."""
    if event.org_id is None:
        return
    if event.type == "identity.practice.created":
        record_practice_name(uow, event)
        for position, clinic in enumerate(event.data.get("clinics", [])):
            _record_zone(uow, clinic["id"], event, clinic, first=position == 0)
    elif event.type == "identity.clinic.created":
        _record_zone(uow, event.subject.id, event, event.data, first=False)
    elif event.type == "identity.clinic.settings_changed":
        _record_zone(uow, event.subject.id, event, event.data.get("after", {}), first=False)


def record_practice_name(uow: UnitOfWork, event: Event) -> None:
    """Remember the practice's name (run inside the consumer's unit of work)."""
    name = str(event.data.get("name") or "").strip()
    if event.org_id and name:
        PracticeNames(uow.session).put(event.org_id, name[:200], datetime.now(UTC))


def _record_zone(uow: UnitOfWork, clinic_id: str, event: Event, clinic: dict,
                 *, first: bool) -> None:
    zone = clinic.get("time_zone")
    if zone:  # events from before the setting say nothing: the portal keeps showing UTC
        ClinicTimeZones(uow.session).put(clinic_id, str(event.org_id), str(zone)[:64],
                                         event.occurred_at, first_of_practice=first)
