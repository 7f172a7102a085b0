"""identity.clinic.created puts a practice's new clinic into notes' projection of clinics."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from notes.adapters.projection import IdentityProjection

pytestmark = pytest.mark.integration


def clinic_created(identity_event, practice, clinic_id: str, occurred_at=None, **data):
    return identity_event("identity.clinic.created", ("clinic", clinic_id), practice.id,
                          {"name": "Harbour North", "assistants_may_finalize": True, **data},
                          occurred_at=occurred_at)


def register_patient(as_, practice, clinic_id: str):
    return as_(practice, "manager").post("/patients", json={
        "clinic_id": clinic_id, "first_name": "Pat", "last_name": "Lee",
        "date_of_birth": "1980-02-03"})


def projected_clinic(app, org_id: str, clinic_id: str) -> dict | None:
    with app.extensions["notes"].uow() as uow:
        return IdentityProjection(uow.session).clinic(org_id, clinic_id)


def test_a_clinic_identity_has_not_announced_is_refused_for_a_patient(as_, practice):
    refused = register_patient(as_, practice, str(uuid.uuid4()))
    assert refused.status_code == 422
    assert refused.get_json()["error"]["message"] == "Pick a clinic of your own practice."


def test_a_patient_is_registered_in_a_clinic_once_identity_announces_it(
    as_, practice, feed, identity_event
):
    clinic_id = str(uuid.uuid4())
    assert register_patient(as_, practice, clinic_id).status_code == 422
    feed(clinic_created(identity_event, practice, clinic_id))
    registered = register_patient(as_, practice, clinic_id)
    assert registered.status_code == 201, registered.get_json()
    assert registered.get_json()["clinic_id"] == clinic_id


def test_the_new_clinic_is_projected_with_its_name_and_setting(
    app, practice, feed, identity_event
):
    clinic_id = str(uuid.uuid4())
    feed(clinic_created(identity_event, practice, clinic_id, assistants_may_finalize=False))
    clinic = projected_clinic(app, practice.id, clinic_id)
    assert clinic is not None
    assert (clinic["name"], clinic["assistants_may_finalize"]) == ("Harbour North", False)


def test_another_practices_new_clinic_is_not_one_of_ours(
    as_, practice, new_practice, feed, identity_event
):
    other = new_practice("Bayside Rehab")
    clinic_id = str(uuid.uuid4())
    feed(clinic_created(identity_event, other, clinic_id))
    assert register_patient(as_, practice, clinic_id).status_code == 422
    assert register_patient(as_, other, clinic_id).status_code == 201


def test_a_settings_change_that_overtook_the_creation_is_kept(
    app, practice, feed, identity_event
):
    clinic_id, now = str(uuid.uuid4()), datetime.now(UTC)
    turned_off = identity_event(
        "identity.clinic.settings_changed", ("clinic", clinic_id), practice.id,
        {"before": {"assistants_may_finalize": True}, "after": {"assistants_may_finalize": False}},
        occurred_at=now + timedelta(seconds=2))
    feed(turned_off, clinic_created(identity_event, practice, clinic_id, occurred_at=now))
    clinic = projected_clinic(app, practice.id, clinic_id)
    assert clinic is not None
    assert (clinic["name"], clinic["assistants_may_finalize"]) == ("Harbour North", False)


def test_the_clinics_time_zone_follows_identity_and_defaults_to_utc(
    app, practice, feed, identity_event
):
    clinic_id, now = str(uuid.uuid4()), datetime.now(UTC)
    feed(clinic_created(identity_event, practice, clinic_id, occurred_at=now))
    assert projected_clinic(app, practice.id, clinic_id)["time_zone"] == "UTC"
    moved = identity_event(
        "identity.clinic.settings_changed", ("clinic", clinic_id), practice.id,
        {"before": {"assistants_may_finalize": True, "time_zone": "UTC"},
         "after": {"assistants_may_finalize": True, "time_zone": "America/Chicago"}},
        occurred_at=now + timedelta(seconds=1))
    feed(moved)
    assert projected_clinic(app, practice.id, clinic_id)["time_zone"] == "America/Chicago"
    # A late creation (an older event) does not move it back.
    feed(clinic_created(identity_event, practice, clinic_id, occurred_at=now,
                        time_zone="Europe/London"))
    assert projected_clinic(app, practice.id, clinic_id)["time_zone"] == "America/Chicago"
