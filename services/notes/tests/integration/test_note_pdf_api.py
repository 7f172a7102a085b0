"""GET /notes/{id}/pdf: the finalized note as a PDF, and GET /notes/{id}/billing-codes."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.integration

PHI = ("Pat", "Lee", "1980-02-03", "Knee pain")


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _finalized(as_, practice, chart, start) -> dict:
    therapist = as_(practice, "therapist")
    note = start(therapist, chart, subjective="Knee pain 4/10 on stairs.", plan="Continue HEP.")
    saved = therapist.patch(f"/notes/{note['id']}", json={
        "version": 1, "billing_sheet": [{"code": "97110", "units": 2}, {"code": "G0283"}]})
    assert saved.status_code == 200, saved.get_json()
    done = therapist.post(f"/notes/{note['id']}/finalize", json={"version": 2})
    assert done.status_code == 200, done.get_json()
    return done.get_json()


def test_a_finalized_note_downloads_as_a_pdf_with_the_whole_record(as_, practice, chart, start):
    note = _finalized(as_, practice, chart, start)
    response = as_(practice, "clerical").get(f"/notes/{note['id']}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Patient-Id"] == chart["patient_id"]
    assert response.data.startswith(b"%PDF-")
    text = _text(response.data)
    for expected in ("Harbour Physio", "Patient: Pat Lee", "Date of birth: 1980-02-03",
                     "Daily Note", "Date of service: 2026-11-20", "Subjective",
                     "Knee pain 4/10 on stairs.", "Continue HEP.", "97110", "G0283",
                     "Electronically signed by Carol Dunn", "Chart initials: CD"):
        assert expected in text, expected


def test_the_file_name_and_the_event_carry_ids_only(as_, practice, chart, start, outbox):
    note = _finalized(as_, practice, chart, start)
    response = as_(practice, "therapist").get(f"/notes/{note['id']}/pdf")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="note-{note["id"]}.pdf"')
    [event] = outbox("notes.note.downloaded")
    assert (event["patient_id"], event["subject"]) == (
        chart["patient_id"], {"type": "note", "id": note["id"]})
    assert event["actor"]["id"] == practice.users["therapist"]
    assert event["data"]["format"] == "pdf"
    assert event["data"]["size_bytes"] == len(response.data)
    assert not any(phi in json.dumps(event) for phi in PHI)


def test_a_co_signed_assistant_note_shows_both_initials(as_, practice, chart, start):
    assistant, therapist = as_(practice, "assistant"), as_(practice, "therapist")
    note = start(assistant, chart, subjective="Gait training.")
    forwarded = assistant.post(f"/notes/{note['id']}/forward", json={
        "version": 1, "to_user_id": practice.users["therapist"]})
    assert forwarded.status_code == 200, forwarded.get_json()
    assert therapist.post(f"/notes/{note['id']}/finalize", json={"version": 2}).status_code == 200
    text = _text(therapist.get(f"/notes/{note['id']}/pdf").data)
    assert "Chart initials: AB/CD" in text
    assert "Written by Amy Brooks; electronically co-signed by Carol Dunn" in text


def test_a_draft_or_forwarded_note_answers_409_finalize_first(as_, practice, chart, start,
                                                              outbox):
    assistant = as_(practice, "assistant")
    draft = start(assistant, chart)
    refused = assistant.get(f"/notes/{draft['id']}/pdf")
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "note_not_finalized"
    assert "finalize the note first" in error["message"]
    assistant.post(f"/notes/{draft['id']}/forward", json={
        "version": 1, "to_user_id": practice.users["therapist"]})
    forwarded = as_(practice, "therapist").get(f"/notes/{draft['id']}/pdf")
    assert forwarded.status_code == 409
    assert forwarded.get_json()["error"]["details"]["status"] == "forwarded"
    assert outbox("notes.note.downloaded") == []


def test_another_practice_gets_404_and_no_view_permission_gets_403(
    as_, practice, chart, start, new_practice, outbox
):
    note = _finalized(as_, practice, chart, start)
    other = as_(new_practice("Bayside Rehab"), "manager")
    assert other.get(f"/notes/{note['id']}/pdf").status_code == 404
    assert other.get(f"/notes/{note['id']}/billing-codes").status_code == 404
    no_view = as_(practice, "therapist", permissions=["start_notes", "finish_notes"])
    assert no_view.get(f"/notes/{note['id']}/pdf").status_code == 403
    assert outbox("notes.note.downloaded") == []


def test_billing_codes_are_those_of_the_notes_authors_discipline(as_, practice, chart, start):
    note = start(as_(practice, "assistant"), chart)
    offer = as_(practice, "therapist").get(f"/notes/{note['id']}/billing-codes")
    assert offer.status_code == 200, offer.get_json()
    body = offer.get_json()
    assert (body["user_type"], body["discipline"]) == ("PTA", "physical_therapy")
    assert "97110" in body["codes"] and "97161" not in body["codes"]
    assert "G0283" in body["manual_codes"]
    # What the sheet offers is what it accepts as not manual.
    saved = as_(practice, "assistant").patch(f"/notes/{note['id']}", json={
        "version": 1, "billing_sheet": [{"code": body["codes"][0]}, {"code": "97161"}]})
    assert [line["manual"] for line in saved.get_json()["billing_sheet"]] == [False, True]
