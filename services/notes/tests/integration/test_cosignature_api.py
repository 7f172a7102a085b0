"""A therapist's list of notes awaiting their co-signature; the author recalls or re-forwards."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

AWAITING = "/notes/awaiting-my-cosignature"


def forward(session, note: dict, to_user_id: str, version: int | None = None):
    return session.post(f"/notes/{note['id']}/forward", json={
        "version": version or note["version"], "to_user_id": to_user_id})


def test_the_therapist_lists_the_notes_forwarded_to_them_longest_waiting_first(
    as_, practice, chart, start, make_chart
):
    assistant = as_(practice, "assistant")
    other_chart = make_chart(practice, True)
    first, second = start(assistant, chart), start(assistant, other_chart)
    kept_as_draft = start(assistant, chart)
    for note in (first, second):
        assert forward(assistant, note, practice.users["therapist"]).status_code == 200

    therapist = as_(practice, "therapist")
    listed = therapist.get(AWAITING).get_json()

    assert [n["id"] for n in listed["items"]] == [first["id"], second["id"]]
    assert kept_as_draft["id"] not in {n["id"] for n in listed["items"]}
    assert (listed["total"], listed["page"], listed["page_size"]) == (2, 1, 25)
    assert all(n["status"] == "forwarded" and n["forwarded_at"] for n in listed["items"])
    paged = therapist.get(f"{AWAITING}?page=2&page_size=1").get_json()
    assert ([n["id"] for n in paged["items"]], paged["total"]) == ([second["id"]], 2)
    assert as_(practice, "manager").get(AWAITING).get_json() == {
        "items": [], "page": 1, "page_size": 25, "total": 0, "next_cursor": None}


def test_listing_records_a_view_of_each_patient_on_the_page(
    as_, practice, chart, start, make_chart, outbox
):
    assistant = as_(practice, "assistant")
    other_chart = make_chart(practice, True)
    notes = [start(assistant, chart), start(assistant, chart), start(assistant, other_chart)]
    for note in notes:
        forward(assistant, note, practice.users["therapist"])

    as_(practice, "therapist").get(AWAITING)

    viewed = {e["patient_id"]: e for e in outbox("notes.patient.viewed")
              if e["data"].get("section") == "awaiting_cosignature"}
    assert set(viewed) == {chart["patient_id"], other_chart["patient_id"]}
    mine = viewed[chart["patient_id"]]
    assert mine["data"]["note_ids"] == [notes[0]["id"], notes[1]["id"]]
    assert mine["data"]["record_count"] == 2
    assert mine["actor"]["id"] == practice.users["therapist"]
    assert viewed[other_chart["patient_id"]]["data"]["record_count"] == 1


def test_an_empty_list_records_no_patient(as_, practice, outbox):
    assert as_(practice, "therapist").get(AWAITING).status_code == 200
    assert outbox("notes.patient.viewed") == []


def test_the_list_needs_view_patients(as_, practice, change_permissions):
    change_permissions(practice, "therapist", revoke=["view_patients"])
    refused = as_(practice, "therapist").get(AWAITING)
    assert refused.status_code == 403


def test_another_practice_never_sees_the_note(as_, practice, chart, start, new_practice):
    assistant = as_(practice, "assistant")
    forward(assistant, start(assistant, chart), practice.users["therapist"])
    other = new_practice("Bayside Rehab")
    assert as_(other, "therapist").get(AWAITING).get_json()["total"] == 0


def test_the_author_recalls_a_forwarded_note_and_it_leaves_the_list(
    as_, practice, chart, start, outbox
):
    assistant = as_(practice, "assistant")
    note = start(assistant, chart)
    forwarded = forward(assistant, note, practice.users["therapist"]).get_json()

    recalled = assistant.post(f"/notes/{note['id']}/recall",
                              json={"version": forwarded["version"]})

    assert recalled.status_code == 200, recalled.get_json()
    body = recalled.get_json()
    assert (body["status"], body["forwarded_to_id"], body["forwarded_at"]) == (
        "draft", None, None)
    assert as_(practice, "therapist").get(AWAITING).get_json()["total"] == 0
    [event] = outbox("notes.note.recalled")
    assert event["data"]["recalled_from_id"] == practice.users["therapist"]
    assert (event["patient_id"], event["actor"]["id"]) == (
        chart["patient_id"], practice.users["assistant"])
    assert event["data"]["status"] == "draft"


def test_recall_is_refused_with_the_reason(as_, practice, chart, start, outbox):
    assistant, therapist = as_(practice, "assistant"), as_(practice, "therapist")
    note = start(assistant, chart)
    draft = assistant.post(f"/notes/{note['id']}/recall", json={"version": 1})
    assert draft.status_code == 409
    assert draft.get_json()["error"]["code"] == "note_not_forwarded"
    forwarded = forward(assistant, note, practice.users["therapist"]).get_json()
    not_author = therapist.post(f"/notes/{note['id']}/recall",
                                json={"version": forwarded["version"]})
    assert not_author.status_code == 403
    assert "Only the note's author" in not_author.get_json()["error"]["message"]
    stale = assistant.post(f"/notes/{note['id']}/recall", json={"version": 1})
    assert stale.get_json()["error"]["code"] == "stale_note_version"
    signed = therapist.post(f"/notes/{note['id']}/finalize",
                            json={"version": forwarded["version"]})
    assert signed.status_code == 200, signed.get_json()
    late = assistant.post(f"/notes/{note['id']}/recall",
                          json={"version": signed.get_json()["version"]})
    assert (late.status_code, late.get_json()["error"]["code"]) == (409, "note_finalized")
    assert outbox("notes.note.recalled") == []


def test_the_author_forwards_the_note_to_another_therapist_instead(
    as_, practice, chart, start, outbox
):
    assistant = as_(practice, "assistant")
    note = start(assistant, chart)
    first = forward(assistant, note, practice.users["therapist"]).get_json()

    again = forward(assistant, first, practice.users["manager"])

    assert again.status_code == 200, again.get_json()
    assert again.get_json()["forwarded_to_id"] == practice.users["manager"]
    assert as_(practice, "therapist").get(AWAITING).get_json()["total"] == 0
    assert [n["id"] for n in as_(practice, "manager").get(AWAITING).get_json()["items"]] == [
        note["id"]]
    events = outbox("notes.note.forwarded")
    assert [(e["data"]["forwarded_to_id"], e["data"]["previous_forwarded_to_id"])
            for e in events] == [(practice.users["therapist"], None),
                                 (practice.users["manager"], practice.users["therapist"])]
    # The first therapist may no longer sign it; the one it now waits for does.
    refused = as_(practice, "therapist").post(f"/notes/{note['id']}/finalize",
                                              json={"version": again.get_json()["version"]})
    assert refused.status_code == 403
    signed = as_(practice, "manager").post(f"/notes/{note['id']}/finalize",
                                           json={"version": again.get_json()["version"]})
    assert signed.status_code == 200
    assert as_(practice, "manager").get(AWAITING).get_json()["total"] == 0


def test_forwarding_to_the_same_therapist_again_is_a_conflict(as_, practice, chart, start):
    assistant = as_(practice, "assistant")
    first = forward(assistant, start(assistant, chart), practice.users["therapist"]).get_json()
    again = forward(assistant, first, practice.users["therapist"])
    assert again.status_code == 409
    assert "already forwarded" in again.get_json()["error"]["message"]


def test_forwarding_to_a_deactivated_therapist_is_refused_with_what_to_do(
    as_, practice, chart, start, feed, identity_event, outbox
):
    assistant = as_(practice, "assistant")
    note = start(assistant, chart)
    feed(identity_event("identity.user.deactivated", ("user", practice.users["manager"]),
                        practice.id, {"before": {"permissions": []}, "after": {"permissions": []},
                                      "permission_version": 2}))

    refused = forward(assistant, note, practice.users["manager"])

    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert (error["code"], error["details"]["reason"]) == ("invalid_forward_target",
                                                           "deactivated")
    assert "forward it to another therapist" in error["message"]
    assert outbox("notes.note.forwarded") == []
    assert assistant.get(f"/notes/{note['id']}").get_json()["status"] == "draft"


def test_forwarding_to_a_therapist_who_cannot_finalize_is_refused(
    as_, practice, chart, start, change_permissions
):
    assistant = as_(practice, "assistant")
    note = start(assistant, chart)
    change_permissions(practice, "manager", revoke=["finish_notes"])

    refused = forward(assistant, note, practice.users["manager"])

    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["details"]["reason"] == "cannot_finalize"
    assert "finish SOAP notes" in error["message"]


def test_a_note_waiting_for_a_deactivated_therapist_goes_to_another_one(
    as_, practice, chart, start, feed, identity_event
):
    assistant = as_(practice, "assistant")
    note = start(assistant, chart)
    first = forward(assistant, note, practice.users["manager"]).get_json()
    feed(identity_event("identity.user.deactivated", ("user", practice.users["manager"]),
                        practice.id, {"before": {"permissions": []}, "after": {"permissions": []},
                                      "permission_version": 2}))

    again = forward(assistant, first, practice.users["therapist"])

    assert again.status_code == 200, again.get_json()
    assert [n["id"] for n in as_(practice, "therapist").get(AWAITING).get_json()["items"]] == [
        note["id"]]


def test_a_reactivated_therapist_receives_notes_again(
    as_, practice, chart, start, feed, identity_event
):
    assistant = as_(practice, "assistant")
    note = start(assistant, chart)
    manager = ("user", practice.users["manager"])
    feed(identity_event("identity.user.deactivated", manager, practice.id,
                        {"permission_version": 2}))
    assert forward(assistant, note, practice.users["manager"]).status_code == 422

    feed(identity_event("identity.user.reactivated", manager, practice.id,
                        {"permission_version": 3, "full_name": "Morgan Reed"}))

    assert forward(assistant, note, practice.users["manager"]).status_code == 200
