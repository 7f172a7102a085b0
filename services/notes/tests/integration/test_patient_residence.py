"""A patient's state of residence is recorded, validated, and told to audit as a fact: the
two-letter code alone, so breach notices can be counted per state."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration
RECORDED = "notes.patient.residence_recorded"


def register(manager, practice, **extra):
    return manager.post("/patients", json={
        "clinic_id": practice.clinic_id, "first_name": "Ana", "last_name": "Ruiz",
        "date_of_birth": "1975-06-07", "address": "1 Ocean Ave, Santa Cruz", **extra})


def test_a_state_given_at_registration_is_stored_upper_cased_and_published_alone(
        as_, practice, outbox):
    patient = register(as_(practice, "manager"), practice, state_of_residence="ca")
    assert patient.status_code == 201, patient.get_json()
    assert patient.get_json()["state_of_residence"] == "CA"
    [event] = outbox(RECORDED)
    assert event["patient_id"] == patient.get_json()["id"]
    assert event["subject"] == {"type": "patient", "id": patient.get_json()["id"]}
    # No name, address or birth date: the code is all audit needs.
    assert event["data"] == {"state": "CA"}


def test_no_state_publishes_nothing(as_, practice, outbox):
    assert register(as_(practice, "manager"), practice).status_code == 201
    assert outbox(RECORDED) == []


def test_a_correction_of_the_state_is_published_and_an_unchanged_one_is_not(
        as_, practice, outbox):
    manager = as_(practice, "manager")
    patient_id = register(manager, practice, state_of_residence="CA").get_json()["id"]
    moved = manager.patch(f"/patients/{patient_id}", json={"state_of_residence": "OR"})
    assert moved.status_code == 200 and moved.get_json()["state_of_residence"] == "OR"
    manager.patch(f"/patients/{patient_id}", json={"state_of_residence": "or"})
    manager.patch(f"/patients/{patient_id}", json={"state_of_residence": None})
    assert [e["data"] for e in outbox(RECORDED)] == [
        {"state": "CA"}, {"state": "OR"}, {"state": None}]


@pytest.mark.parametrize("state", ["California", "XX", "C", 12])
def test_what_is_not_a_us_state_code_is_refused(as_, practice, outbox, state):
    refused = register(as_(practice, "manager"), practice, state_of_residence=state)
    assert refused.status_code == 422, refused.get_json()
    assert "state_of_residence" in str(refused.get_json()["error"]["details"])
    assert outbox(RECORDED) == []
