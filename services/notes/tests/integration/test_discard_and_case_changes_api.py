"""A draft started by mistake is discarded; a case's title and payer change (PATCH /cases)."""

from __future__ import annotations

import json
import uuid

import pytest

pytestmark = pytest.mark.integration


def discard(session, note: dict, version: int = 1):
    return session.post(f"/notes/{note['id']}/discard", json={"version": version})


def test_the_author_discards_a_draft_which_leaves_the_chart_but_stays_stored(
        as_, practice, chart, start, outbox):
    therapist = as_(practice, "therapist")
    kept = start(therapist, chart)
    note = start(therapist, chart, subjective="started on the wrong patient")

    discarded = discard(therapist, note)

    assert discarded.status_code == 200, discarded.get_json()
    body = discarded.get_json()
    assert body["status"] == "discarded" and body["discarded_by_id"] == practice.users["therapist"]
    gone = therapist.get(f"/notes/{note['id']}")
    assert gone.status_code == 410
    assert gone.get_json()["error"]["code"] == "note_discarded"
    listed = therapist.get(f"/patients/{chart['patient_id']}/notes").get_json()
    assert [n["id"] for n in listed] == [kept["id"]]
    for refused in (therapist.patch(f"/notes/{note['id']}", json={"version": 2, "plan": "x"}),
                    therapist.post(f"/notes/{note['id']}/finalize", json={"version": 2})):
        assert refused.status_code == 410
    [event] = outbox("notes.note.discarded")
    assert event["subject"] == {"type": "note", "id": note["id"]}
    assert event["patient_id"] == chart["patient_id"]
    assert "wrong patient" not in json.dumps(event)


def test_discarding_twice_answers_the_same_and_emits_once(as_, practice, chart, start, outbox):
    therapist = as_(practice, "therapist")
    note = start(therapist, chart)
    first = discard(therapist, note)

    again = discard(therapist, note)

    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    assert len(outbox("notes.note.discarded")) == 1


def test_forwarded_and_finalized_notes_refuse_with_what_to_do_instead(
        as_, practice, chart, start):
    assistant, therapist = as_(practice, "assistant"), as_(practice, "therapist")
    forwarded = start(assistant, chart)
    assert assistant.post(f"/notes/{forwarded['id']}/forward", json={
        "version": 1, "to_user_id": practice.users["therapist"]}).status_code == 200
    signed = start(therapist, chart)
    assert therapist.post(f"/notes/{signed['id']}/finalize",
                          json={"version": 1}).status_code == 200

    recall_first = discard(assistant, forwarded, version=2)
    addendum = discard(therapist, signed, version=2)

    assert recall_first.status_code == 409
    assert "recall it first" in recall_first.get_json()["error"]["message"]
    assert addendum.status_code == 409
    assert "addendum" in addendum.get_json()["error"]["message"]
    assert addendum.get_json()["error"]["code"] == "note_cannot_be_discarded"


def test_only_the_author_or_their_supervisor_discards_and_never_across_practices(
        as_, practice, chart, start, new_practice):
    note = start(as_(practice, "assistant"), chart)

    stranger = discard(as_(practice, "manager"), note)
    other = discard(as_(new_practice("Bayside Rehab"), "manager"), note)
    supervisor = discard(as_(practice, "therapist"), note)

    assert stranger.status_code == 403
    assert other.status_code == 404
    assert supervisor.status_code == 200


def test_a_case_is_renamed_and_moved_to_another_payer_while_nothing_is_signed(
        as_, practice, chart, start, outbox):
    manager = as_(practice, "manager")
    other_payer = manager.post("/insurances", json={"name": f"Payer {uuid.uuid4().hex[:6]}"}
                               ).get_json()
    start(as_(practice, "therapist"), chart)  # a draft does not lock the payer
    read = manager.get(f"/cases/{chart['case_id']}")

    changed = manager.patch(f"/cases/{chart['case_id']}", json={
        "title": "Left knee", "insurance_id": other_payer["id"]})

    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["title"] == "Left knee"
    assert changed.get_json()["insurance_id"] == other_payer["id"]
    assert changed.headers["ETag"] != read.headers["ETag"]
    assert manager.get(f"/cases/{chart['case_id']}").headers["ETag"] == changed.headers["ETag"]
    [event] = outbox("notes.case.updated")
    assert event["data"] == {"changed": ["insurance_id", "title"], "insurance": {
        "before": chart["insurance_id"], "after": other_payer["id"]}}
    assert "Left knee" not in json.dumps(event)


def test_a_case_with_a_finalized_note_keeps_its_payer_but_may_be_renamed(
        as_, practice, chart, start):
    manager, therapist = as_(practice, "manager"), as_(practice, "therapist")
    other_payer = manager.post("/insurances", json={"name": f"Payer {uuid.uuid4().hex[:6]}"}
                               ).get_json()
    note = start(therapist, chart)
    assert therapist.post(f"/notes/{note['id']}/finalize", json={"version": 1}).status_code == 200

    locked = manager.patch(f"/cases/{chart['case_id']}",
                           json={"insurance_id": other_payer["id"]})
    renamed = manager.patch(f"/cases/{chart['case_id']}", json={"title": "Right shoulder"})

    assert locked.status_code == 409
    assert locked.get_json()["error"]["code"] == "case_insurance_locked"
    assert "open a new case" in locked.get_json()["error"]["message"]
    assert renamed.status_code == 200
    assert renamed.get_json()["insurance_id"] == chart["insurance_id"]


def test_a_case_change_needs_edit_patients_a_payer_of_the_practice_and_a_fresh_etag(
        as_, practice, chart, new_practice, change_permissions):
    manager = as_(practice, "manager")
    other = new_practice("Bayside Rehab")
    foreign_payer = as_(other, "manager").post("/insurances", json={"name": "Theirs"}).get_json()

    foreign = manager.patch(f"/cases/{chart['case_id']}",
                            json={"insurance_id": foreign_payer["id"]})
    intruder = as_(other, "manager").patch(f"/cases/{chart['case_id']}", json={"title": "x"})
    plain = manager.open("PATCH", f"/cases/{chart['case_id']}", json={"title": "x"})
    empty = manager.patch(f"/cases/{chart['case_id']}", json={})
    change_permissions(practice, "therapist", revoke=["edit_patients"])
    refused = as_(practice, "therapist").patch(f"/cases/{chart['case_id']}",
                                                json={"title": "y"})

    assert foreign.status_code == 422
    assert intruder.status_code == 404
    assert plain.status_code == 200  # without If-Match: last write wins, as elsewhere
    assert empty.status_code == 422
    assert refused.status_code == 403
    manager.headers["If-Match"] = '"0000"'
    assert manager.patch(f"/cases/{chart['case_id']}", json={"title": "z"}).status_code == 412
