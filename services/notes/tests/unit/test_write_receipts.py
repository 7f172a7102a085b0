"""Editing is not seeing: the record for a caller who may view patients, a receipt otherwise."""

from notes.domain.receipts import RECEIPT_FIELDS, shown_to

PATIENT = {"id": "p-1", "first_name": "Pat", "last_name": "Lee", "date_of_birth": "1980-02-03",
           "created_at": "2026-11-01T09:00:00Z", "updated_at": "2026-11-02T09:00:00Z"}
NOTE = {"id": "n-1", "patient_id": "p-1", "subjective": "Knee pain", "version": 3,
        "status": "draft", "created_at": "2026-11-01T09:00:00Z"}


def test_a_caller_who_may_view_patients_sees_the_whole_record():
    assert shown_to({"view_patients", "edit_patients"}, PATIENT) == PATIENT


def test_a_caller_who_may_only_edit_gets_the_receipt_of_a_patient():
    assert shown_to({"edit_patients"}, PATIENT) == {
        "id": "p-1", "created_at": "2026-11-01T09:00:00Z", "updated_at": "2026-11-02T09:00:00Z"}


def test_a_note_receipt_keeps_what_the_next_edit_needs_and_no_clinical_text():
    receipt = shown_to({"start_notes"}, NOTE)

    assert receipt == {"id": "n-1", "version": 3, "status": "draft",
                       "created_at": "2026-11-01T09:00:00Z"}
    assert set(receipt) <= set(RECEIPT_FIELDS)
