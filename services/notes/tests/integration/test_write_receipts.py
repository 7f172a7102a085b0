"""Editing is not seeing: a caller without view_patients who writes to a patient's records
gets a receipt (id, version, status, times), never the record, changed or not."""

from __future__ import annotations

import pytest

from notes.domain.receipts import RECEIPT_FIELDS

pytestmark = pytest.mark.integration

THERAPIST = ["edit_patients", "start_notes", "forward_notes", "finish_notes",
             "delete_transactions", "share_documents"]
PATIENT_DETAILS = ("Pat", "Lee", "1980-02-03", "555-0100")


def blind(as_, practice, person: str = "therapist"):
    """`person` with every therapist permission except view_patients."""
    return as_(practice, person, permissions=THERAPIST)


def assert_receipt(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert "id" in body and set(body) <= set(RECEIPT_FIELDS), body
    return body


def assert_no_patient_details(response) -> None:
    text = response.get_data(as_text=True)
    assert not [d for d in PATIENT_DETAILS if d in text], text


@pytest.mark.parametrize("change", [{"phone": "555-0100"}, {"phone": "555-0199"}],
                         ids=["no-op", "real change"])
def test_patching_a_patient_without_view_patients_answers_a_receipt(as_, practice, chart,
                                                                    change):
    response = blind(as_, practice).patch(f"/patients/{chart['patient_id']}", json=change)

    body = assert_receipt(response, 200)
    assert body["id"] == chart["patient_id"] and "updated_at" in body
    assert_no_patient_details(response)
    seen = as_(practice, "manager").get(f"/patients/{chart['patient_id']}").get_json()
    assert seen["phone"] == change["phone"]  # the change itself was made


def test_a_patient_registered_without_view_patients_answers_its_id(as_, practice):
    response = blind(as_, practice).post("/patients", json={
        "clinic_id": practice.clinic_id, "first_name": "Pat", "last_name": "Lee",
        "date_of_birth": "1980-02-03"})

    body = assert_receipt(response, 201)
    assert as_(practice, "manager").get(f"/patients/{body['id']}").status_code == 200


def test_a_case_opened_without_view_patients_answers_a_receipt(as_, practice, chart):
    response = blind(as_, practice).post("/cases", json={
        "patient_id": chart["patient_id"], "insurance_id": chart["insurance_id"]})

    assert_receipt(response, 201)


def test_note_writes_without_view_patients_answer_receipts(as_, practice, chart, start):
    therapist = blind(as_, practice)
    started = therapist.post("/notes", json={
        "case_id": chart["case_id"], "kind": "daily_note", "date_of_service": "2026-11-20",
        "subjective": "Knee pain after the fall"})
    note = assert_receipt(started, 201)
    assert note["version"] == 1 and note["status"] == "draft"

    revised = therapist.patch(f"/notes/{note['id']}", json={
        "version": 1, "billing_sheet": [{"code": "97110"}]})
    finalized = therapist.post(f"/notes/{note['id']}/finalize", json={"version": 2})
    addendum = therapist.post(f"/notes/{note['id']}/addenda", json={"text": "Late entry."})

    assert assert_receipt(revised, 200)["version"] == 2
    assert assert_receipt(finalized, 200)["status"] == "finalized"
    assert_receipt(addendum, 201)
    for response in (started, revised, finalized, addendum):
        assert "Knee pain" not in response.get_data(as_text=True)
        assert chart["patient_id"] not in response.get_data(as_text=True)


def test_a_note_forwarded_without_view_patients_answers_a_receipt(as_, practice, chart, start):
    draft = start(as_(practice, "assistant"), chart, subjective="Shoulder exercises")

    response = as_(practice, "assistant", permissions=["start_notes", "forward_notes"]).post(
        f"/notes/{draft['id']}/forward",
        json={"version": 1, "to_user_id": practice.users["therapist"]})

    assert assert_receipt(response, 200)["status"] == "forwarded"
    assert "Shoulder" not in response.get_data(as_text=True)


def test_a_charge_deleted_without_view_patients_answers_a_receipt(as_, practice, chart, start):
    therapist = as_(practice, "therapist")
    note = start(therapist, chart)
    therapist.patch(f"/notes/{note['id']}", json={"version": 1,
                                                  "billing_sheet": [{"code": "97110"}]})
    assert therapist.post(f"/notes/{note['id']}/finalize", json={"version": 2}).status_code == 200
    [charge] = therapist.get(f"/patients/{chart['patient_id']}/transactions").get_json()

    response = blind(as_, practice).delete(f"/transactions/{charge['id']}")

    body = assert_receipt(response, 200)
    assert body["deleted_at"] is not None
    assert "97110" not in response.get_data(as_text=True)


def test_with_view_patients_a_write_answers_the_whole_record(as_, practice, chart):
    response = as_(practice, "therapist").patch(f"/patients/{chart['patient_id']}",
                                                json={"phone": "555-0100"})

    assert response.status_code == 200
    assert response.get_json()["first_name"] == "Pat"
    assert response.get_json()["date_of_birth"] == "1980-02-03"
