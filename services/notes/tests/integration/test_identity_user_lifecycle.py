"""identity's later changes to a user (edit, reactivation) reach notes' projection: a
supervisor set by an edit opens the finalization gate, a reactivated user works again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from notes.adapters.projection import IdentityProjection

pytestmark = pytest.mark.integration


def reasons(response) -> list[str]:
    return [r["code"] for r in response.get_json()["error"]["details"]["reasons"]]


def supervisor_set(identity_event, practice, person: str, supervisor_id: str | None, **at):
    return identity_event("identity.user.updated", ("user", practice.users[person]), practice.id, {
        "changed": ["supervising_therapist_id"],
        "before": {"supervising_therapist_id": None},
        "after": {"supervising_therapist_id": supervisor_id},
        "full_name": "Amy Brooks", "supervising_therapist_id": supervisor_id}, **at)


def test_an_assistant_whose_supervisor_is_set_by_an_edit_can_finalize(
    as_, practice, chart, start, feed, identity_event
):
    feed(supervisor_set(identity_event, practice, "assistant", None))
    assistant = as_(practice, "assistant")
    note = start(assistant, chart)
    refused = assistant.post(f"/notes/{note['id']}/finalize", json={"version": note["version"]})
    assert refused.status_code == 403
    assert reasons(refused) == ["no_supervising_therapist"]

    feed(supervisor_set(identity_event, practice, "assistant", practice.users["therapist"]))
    done = assistant.post(f"/notes/{note['id']}/finalize", json={"version": note["version"]})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["cosigner_id"] == practice.users["therapist"]


def test_an_edit_that_changes_clinics_stops_older_tokens(as_, practice, feed, identity_event):
    old = as_(practice, "therapist")
    assert old.get("/insurances").status_code == 200
    feed(identity_event("identity.user.updated", ("user", practice.users["therapist"]),
                        practice.id, {
                            "changed": ["clinic_ids"], "before": {"clinic_ids": []},
                            "after": {"clinic_ids": [practice.clinic_id],
                                      "permissions": practice.permissions["therapist"]},
                            "full_name": "Carol Dunn", "supervising_therapist_id": None,
                            "permission_version": 2}))
    refused = old.get("/insurances")
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "token_outdated"
    assert as_(practice, "therapist", pv=2).get("/insurances").status_code == 200


def test_an_edited_name_reaches_the_projection(app, practice, feed, identity_event):
    feed(identity_event("identity.user.updated", ("user", practice.users["therapist"]),
                        practice.id, {"changed": ["full_name"],
                                      "before": {"full_name": "Carol Dunn"},
                                      "after": {"full_name": "Carol Dunn-Reyes"},
                                      "full_name": "Carol Dunn-Reyes",
                                      "supervising_therapist_id": None}))
    with app.extensions["notes"].uow() as uow:
        user = IdentityProjection(uow.session).practice_user(practice.id,
                                                             practice.users["therapist"])
    assert user is not None and user.full_name == "Carol Dunn-Reyes"


def deactivation(identity_event, practice, person: str, version: int, kind: str, **at):
    permissions = [] if kind == "deactivated" else practice.permissions[person]
    return identity_event(f"identity.user.{kind}", ("user", practice.users[person]),
                          practice.id, {"before": {"permissions": []},
                                        "after": {"permissions": permissions},
                                        "permission_version": version,
                                        "supervising_therapist_id": None}, **at)


def test_a_reactivated_user_works_again(as_, practice, chart, feed, identity_event):
    feed(deactivation(identity_event, practice, "therapist", 2, "deactivated"))
    note_body = {"case_id": chart["case_id"], "kind": "daily_note",
                 "date_of_service": "2026-11-20"}
    refused = as_(practice, "therapist", pv=2).post("/notes", json=note_body)
    assert refused.get_json()["error"]["code"] == "account_not_known"

    feed(deactivation(identity_event, practice, "therapist", 3, "reactivated"))
    assert as_(practice, "therapist", pv=2).get("/insurances").status_code == 401
    started = as_(practice, "therapist", pv=3).post("/notes", json=note_body)
    assert started.status_code == 201, started.get_json()


def test_a_late_deactivation_does_not_undo_a_newer_reactivation(
    as_, practice, chart, feed, identity_event
):
    now = datetime.now(UTC)
    reactivated = deactivation(identity_event, practice, "therapist", 3, "reactivated",
                               occurred_at=now + timedelta(seconds=1))
    deactivated = deactivation(identity_event, practice, "therapist", 2, "deactivated",
                               occurred_at=now)
    feed(reactivated, deactivated)  # the reactivation overtook the deactivation on the bus
    started = as_(practice, "therapist", pv=3).post("/notes", json={
        "case_id": chart["case_id"], "kind": "daily_note", "date_of_service": "2026-11-20"})
    assert started.status_code == 201, started.get_json()


def test_a_late_creation_keeps_the_supervisor_an_edit_set(app, practice, feed, identity_event):
    now = datetime.now(UTC)
    assistant = practice.users["assistant"]
    feed(supervisor_set(identity_event, practice, "assistant", practice.users["manager"],
                        occurred_at=now + timedelta(seconds=5)))
    feed(identity_event("identity.user.created", ("user", assistant), practice.id, {
        "email": "a@example.test", "full_name": "Amy Brooks", "user_type": "PTA",
        "kind": "staff", "status": "active", "permissions": ["start_notes"],
        "permission_version": 1, "supervising_therapist_id": None}, occurred_at=now))
    with app.extensions["notes"].uow() as uow:
        user = IdentityProjection(uow.session).practice_user(practice.id, assistant)
    assert user is not None and user.supervising_therapist_id == practice.users["manager"]
