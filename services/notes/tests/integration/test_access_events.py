"""Every read of patient data leaves an access event in the outbox, every write its change."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_reading_a_patient_emits_patient_viewed(as_, practice, chart, outbox):
    assert as_(practice, "clerical").get(f"/patients/{chart['patient_id']}").status_code == 200
    [event] = outbox("notes.patient.viewed")
    assert event["patient_id"] == chart["patient_id"]
    assert event["actor"]["id"] == practice.users["clerical"]
    assert event["org_id"] == practice.id


def test_search_emits_the_ids_of_the_patients_shown(as_, practice, chart, outbox):
    found = as_(practice, "therapist").post("/patients/search", json={"name": "lee"}).get_json()
    assert found["total"] == 1
    [event] = outbox("notes.patient.searched")
    assert event["data"]["patient_ids"] == [chart["patient_id"]]


def test_reading_a_note_emits_note_viewed(as_, practice, chart, start, outbox):
    note = start(as_(practice, "therapist"), chart)
    assert as_(practice, "student").get(f"/notes/{note['id']}").status_code == 200
    [event] = outbox("notes.note.viewed")
    assert (event["patient_id"], event["subject"]) == (
        chart["patient_id"], {"type": "note", "id": note["id"]})
    assert event["actor"]["id"] == practice.users["student"]


def test_writes_emit_their_change_events(as_, practice, chart, start, outbox):
    therapist = as_(practice, "therapist")
    note = start(therapist, chart)
    therapist.patch(f"/notes/{note['id']}", json={"version": 1, "plan": "HEP"})
    therapist.post(f"/notes/{note['id']}/finalize", json={"version": 2})
    as_(practice, "manager").patch(f"/patients/{chart['patient_id']}", json={"phone": "555"})
    types = [e["type"] for e in outbox() if e["type"].startswith(("notes.note", "notes.patient"))]
    assert types == ["notes.patient.created", "notes.note.started", "notes.note.updated",
                     "notes.note.finalized", "notes.patient.updated"]
    assert all(e["patient_id"] == chart["patient_id"] for e in outbox()
               if e["type"] != "notes.patient.searched" and e["subject"]["type"] != "insurance")
    assert outbox("notes.patient.updated")[0]["data"] == {"changed": ["phone"]}


def test_a_refused_read_emits_nothing(as_, practice, chart, new_practice, outbox):
    other = as_(new_practice("Bayside Rehab"), "manager")
    assert other.get(f"/patients/{chart['patient_id']}").status_code == 404
    assert outbox("notes.patient.viewed") == []
