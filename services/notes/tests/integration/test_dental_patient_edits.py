"""In a dental practice only an Admin edits a patient's record, and hears the seed's warning;
a therapy practice keeps edit_patients as the rule."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from notes.adapters.projection import IdentityProjection
from notes.domain.patient_records import PRIVACY_WARNING

pytestmark = pytest.mark.integration


@pytest.fixture
def dental(new_practice):
    return new_practice("Harbour Dental", model="dental")


@pytest.fixture
def patient(as_, dental):
    registered = as_(dental, "manager").post("/patients", json={
        "clinic_id": dental.clinic_id, "first_name": "Pat", "last_name": "Lee",
        "date_of_birth": "1980-02-03", "phone": "555-0100"})
    assert registered.status_code == 201, registered.get_json()
    return registered.get_json()["id"]


def test_an_admin_edits_a_dental_patient_record_and_is_warned_to_keep_it_accurate(
        as_, dental, patient, outbox):
    answer = as_(dental, "manager").patch(f"/patients/{patient}", json={"phone": "555-0199"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["phone"] == "555-0199"
    assert answer.get_json()["warning"] == PRIVACY_WARNING
    assert "should only be changed if necessary" in PRIVACY_WARNING
    [updated] = outbox("notes.patient.updated")
    assert updated["data"] == {"changed": ["phone"]}


def test_an_admin_without_edit_patients_still_edits_in_a_dental_practice(as_, dental,
                                                                          patient):
    # Admin is the dental seed's permission for patient record edits, not edit_patients.
    answer = as_(dental, "manager", permissions=["view_patients", "manage_users"]).patch(
        f"/patients/{patient}", json={"phone": "555-0123"})
    assert answer.status_code == 200, answer.get_json()


@pytest.mark.parametrize("person", ["therapist", "assistant", "clerical", "student"])
def test_a_user_level_member_holding_edit_patients_is_refused_in_a_dental_practice(
        as_, dental, patient, outbox, person):
    refused = as_(dental, person).patch(f"/patients/{patient}", json={"phone": "555-0199"})
    assert refused.status_code == 403
    error = refused.get_json()["error"]
    assert error["code"] == "admin_only"
    assert "Ask an Admin" in error["message"]
    assert outbox("notes.patient.updated") == []
    shown = as_(dental, "manager").get(f"/patients/{patient}").get_json()
    assert shown["phone"] == "555-0100"


def test_a_therapy_practice_keeps_edit_patients_and_gives_no_warning(as_, practice, chart):
    answer = as_(practice, "clerical").patch(f"/patients/{chart['patient_id']}",
                                              json={"phone": "555-0199"})
    assert answer.status_code == 200, answer.get_json()
    assert "warning" not in answer.get_json()
    refused = as_(practice, "therapist", permissions=["view_patients"]).patch(
        f"/patients/{chart['patient_id']}", json={"phone": "555-0111"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "permission_required"
    assert refused.get_json()["error"]["details"] == {"missing": ["edit_patients"]}


def test_a_practice_created_before_models_were_named_is_a_therapy_practice(as_, new_practice):
    older = new_practice("Older Physio")  # identity.practice.created without "model"
    chart_patient = as_(older, "clerical").post("/patients", json={
        "clinic_id": older.clinic_id, "first_name": "Pat", "last_name": "Lee",
        "date_of_birth": "1980-02-03"}).get_json()["id"]
    answer = as_(older, "clerical").patch(f"/patients/{chart_patient}",
                                           json={"phone": "555-0101"})
    assert answer.status_code == 200, answer.get_json()


def test_the_projection_follows_the_model_and_a_rename(app, feed, identity_event):
    org = str(uuid.uuid4())
    created_at = datetime.now(UTC) - timedelta(minutes=1)
    renamed = identity_event("identity.practice.info_changed", ("practice", org), org,
                             {"changed_fields": ["name"], "name": "Harbour Dental"})
    created = identity_event("identity.practice.created", ("practice", org), org,
                             {"name": "Harbour Physio", "model": "dental", "clinics": []},
                             occurred_at=created_at)
    feed(renamed, created)  # the rename overtook the creation on the bus
    with app.extensions["notes"].uow() as uow:
        projection = IdentityProjection(uow.session)
        assert projection.practice_name(org) == "Harbour Dental"
        assert projection.practice_model(org) == "dental"


def test_a_birth_date_in_the_future_or_centuries_ago_is_refused_and_nothing_is_saved(
        as_, practice):
    staff = as_(practice, "clerical")
    before = staff.get("/patients").get_json()["total"]
    for born in ("2999-01-01", "1800-01-01"):
        refused = staff.post("/patients", json={
            "clinic_id": practice.clinic_id, "first_name": "Pat", "last_name": "Lee",
            "date_of_birth": born})
        assert refused.status_code == 422, refused.get_json()
        [why] = refused.get_json()["error"]["details"]["fields"]["json"]["date_of_birth"]
        assert "check the year" in why
    assert staff.get("/patients").get_json()["total"] == before
    chart = staff.post("/patients", json={
        "clinic_id": practice.clinic_id, "first_name": "Pat", "last_name": "Lee",
        "date_of_birth": "1980-02-03"}).get_json()["id"]
    changed = staff.patch(f"/patients/{chart}", json={"date_of_birth": "2999-01-01"})
    assert changed.status_code == 422, changed.get_json()
    assert staff.get(f"/patients/{chart}").get_json()["date_of_birth"] == "1980-02-03"
