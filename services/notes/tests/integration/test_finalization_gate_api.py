"""The finalization gate end to end: clinic setting (projection) x insurance x permission."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def reasons(response) -> list[str]:
    return [r["code"] for r in response.get_json()["error"]["details"]["reasons"]]


def test_assistant_finalizes_when_clinic_insurance_and_permission_all_allow(
    as_, practice, chart, outbox, start
):
    assistant = as_(practice, "assistant")
    note = start(assistant, chart, subjective="Knee pain 3/10")
    done = assistant.post(f"/notes/{note['id']}/finalize", json={"version": note["version"]})
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["status"] == "finalized"
    assert body["chart_initials"] == "AB/CD"  # assistant / supervising therapist
    assert body["cosigner_id"] == practice.users["therapist"]
    [event] = outbox("notes.note.finalized")
    assert event["patient_id"] == chart["patient_id"]
    assert event["data"]["finalized_by_id"] == practice.users["assistant"]
    assert event["data"]["cosigner_id"] == practice.users["therapist"]
    assert event["data"]["billing_export"]["status"] == "no_integration"


def test_assistant_cannot_finalize_when_insurance_disallows(as_, practice, start, make_chart):
    chart = make_chart(practice, False)
    assistant = as_(practice, "assistant")
    note = start(assistant, chart)
    refused = assistant.post(f"/notes/{note['id']}/finalize", json={"version": 1})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "finalization_refused"
    assert reasons(refused) == ["insurance_disallows_assistants"]


def test_assistant_cannot_finalize_when_clinic_setting_turned_off(
    as_, practice, chart, feed, start, identity_event
):
    feed(identity_event("identity.clinic.settings_changed", ("clinic", practice.clinic_id),
                        practice.id, {"before": {"assistants_may_finalize": True},
                                      "after": {"assistants_may_finalize": False}}))
    assistant = as_(practice, "assistant")
    note = start(assistant, chart)
    refused = assistant.post(f"/notes/{note['id']}/finalize", json={"version": 1})
    assert refused.status_code == 403
    assert reasons(refused) == ["clinic_disallows_assistants"]
    # The note is untouched, so the assistant can forward it instead.
    assert as_(practice, "assistant").get(f"/notes/{note['id']}").get_json()["version"] == 1


def test_refusal_names_every_part_that_is_off(
    as_, new_practice, change_permissions, start, make_chart
):
    practice = new_practice(assistants_may_finalize=False)
    chart = make_chart(practice, False)
    change_permissions(practice, "assistant", revoke=["finish_notes"])
    assistant = as_(practice, "assistant")
    note = start(assistant, chart)
    refused = assistant.post(f"/notes/{note['id']}/finalize", json={"version": 1})
    assert refused.status_code == 403
    assert reasons(refused) == ["clinic_disallows_assistants", "insurance_disallows_assistants",
                                "missing_finish_notes_permission"]


def test_students_never_finalize_even_with_finish_notes(
    as_, practice, chart, change_permissions, start
):
    change_permissions(practice, "student", grant=["finish_notes"])
    student = as_(practice, "student")
    note = start(student, chart)
    refused = student.post(f"/notes/{note['id']}/finalize", json={"version": 1})
    assert refused.status_code == 403
    assert reasons(refused) == ["students_never_finalize"]


def test_clerical_cannot_start_a_note_even_with_start_notes(
    as_, practice, chart, change_permissions
):
    change_permissions(practice, "clerical", grant=["start_notes"])
    refused = as_(practice, "clerical").post("/notes", json={
        "case_id": chart["case_id"], "kind": "daily_note", "date_of_service": "2026-11-20"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["details"]["category"] == "clerical"


def test_supervising_therapist_cosigns_a_students_note(as_, practice, chart, outbox, start):
    student = as_(practice, "student")
    note = start(student, chart)
    forwarded = student.post(f"/notes/{note['id']}/forward", json={
        "version": 1, "to_user_id": practice.users["therapist"]})
    # Students hold no forward permission by default: their supervisor opens the note instead.
    assert forwarded.status_code == 403
    done = as_(practice, "therapist").post(f"/notes/{note['id']}/finalize", json={"version": 1})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["chart_initials"] == "SS/CD"
    assert outbox("notes.note.finalized")[0]["data"]["cosigner_id"] == practice.users["therapist"]


def test_a_forwarded_note_is_finalized_only_by_the_therapist_it_went_to(
    as_, practice, chart, start
):
    assistant = as_(practice, "assistant")
    note = start(assistant, chart)
    forwarded = assistant.post(f"/notes/{note['id']}/forward", json={
        "version": 1, "to_user_id": practice.users["therapist"]})
    assert forwarded.status_code == 200 and forwarded.get_json()["status"] == "forwarded"
    assert assistant.post(f"/notes/{note['id']}/finalize",
                          json={"version": 2}).status_code == 403
    done = as_(practice, "therapist").post(f"/notes/{note['id']}/finalize", json={"version": 2})
    assert done.status_code == 200
    assert done.get_json()["chart_initials"] == "AB/CD"
