"""identity's events, handled by the notes.identity handler, decide what a token may still do."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from notes.adapters.projection import IdentityProjection
from notes.spec import SPEC

pytestmark = pytest.mark.integration


def test_subscription_binds_every_identity_event():
    queues = {s.queue: s.bindings for s in SPEC.subscriptions}
    assert queues == {"notes.identity": ("identity.#",), "notes.token_state": ("identity.#",)}


def test_token_older_than_a_permission_change_is_refused(as_, practice, chart,
                                                         change_permissions):
    old = as_(practice, "therapist")  # minted at permission version 1
    assert old.get(f"/patients/{chart['patient_id']}").status_code == 200
    change_permissions(practice, "therapist", revoke=["finish_notes"])
    refused = old.get(f"/patients/{chart['patient_id']}")
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "token_outdated"
    assert as_(practice, "therapist").get(f"/patients/{chart['patient_id']}").status_code == 200


def test_revoked_finish_notes_stops_finalization_with_a_fresh_token(
    as_, practice, chart, start, change_permissions
):
    note = start(as_(practice, "therapist"), chart)
    change_permissions(practice, "therapist", revoke=["finish_notes"])
    refused = as_(practice, "therapist").post(f"/notes/{note['id']}/finalize",
                                              json={"version": 1})
    assert refused.status_code == 403
    reasons = refused.get_json()["error"]["details"]["reasons"]
    assert [r["code"] for r in reasons] == ["missing_finish_notes_permission"]


def test_events_out_of_order_keep_the_newest_permissions(app, feed, identity_event, practice):
    user_id = str(uuid.uuid4())
    changed = identity_event("identity.user.permissions_changed", ("user", user_id),
                             practice.id, {"before": {"permissions": []},
                                           "after": {"permissions": ["view_patients"]},
                                           "permission_version": 2})
    created = identity_event("identity.user.created", ("user", user_id), practice.id, {
        "full_name": "Late Comer", "user_type": "PT", "kind": "staff", "status": "active",
        "permissions": ["view_patients", "start_notes"], "permission_version": 1})
    feed(changed, created)  # the change overtook the creation on the bus
    with app.extensions["notes"].uow() as uow:
        user = IdentityProjection(uow.session).practice_user(practice.id, user_id)
    assert user is not None and user.full_name == "Late Comer"
    assert (user.permissions, user.permission_version) == (frozenset({"view_patients"}), 2)
    assert user.category.value == "therapist"


def test_deactivated_user_is_refused(as_, practice, chart, feed, identity_event):
    feed(identity_event("identity.user.deactivated", ("user", practice.users["therapist"]),
                        practice.id, {"before": {"permissions": []},
                                      "after": {"permissions": []}, "permission_version": 2,
                                      "sessions_revoked": 1}))
    assert as_(practice, "therapist").get("/insurances").status_code == 401
    fresh = as_(practice, "therapist", pv=2, permissions=["start_notes"])
    refused = fresh.post("/notes", json={"case_id": chart["case_id"], "kind": "daily_note",
                                         "date_of_service": "2026-11-20"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "account_not_known"


def test_an_older_clinic_setting_event_does_not_undo_a_newer_one(
    as_, practice, chart, start, feed, identity_event
):
    now = datetime.now(UTC)
    off = identity_event("identity.clinic.settings_changed", ("clinic", practice.clinic_id),
                         practice.id, {"after": {"assistants_may_finalize": False}},
                         occurred_at=now + timedelta(seconds=2))
    on = identity_event("identity.clinic.settings_changed", ("clinic", practice.clinic_id),
                        practice.id, {"after": {"assistants_may_finalize": True}},
                        occurred_at=now + timedelta(seconds=1))
    feed(off, on)
    assistant = as_(practice, "assistant")
    note = start(assistant, chart)
    refused = assistant.post(f"/notes/{note['id']}/finalize", json={"version": 1})
    assert refused.status_code == 403


def test_billing_export_follows_the_practices_billing_integration(
    as_, practice, chart, start, feed, identity_event, outbox
):
    feed(identity_event("identity.practice.billing_integration_changed",
                        ("practice", practice.id), practice.id,
                        {"billing_integration": {"name": "WebPT Billing",
                                                 "provider_ids": [practice.users["therapist"]]}}))
    therapist, assistant = as_(practice, "therapist"), as_(practice, "assistant")
    by_provider = start(therapist, chart)
    by_assistant = start(assistant, chart)
    assert therapist.post(f"/notes/{by_provider['id']}/finalize",
                          json={"version": 1}).status_code == 200
    done = assistant.post(f"/notes/{by_assistant['id']}/finalize", json={"version": 1})
    assert done.status_code == 200
    exports = [(e["data"]["billing_provider_id"], e["data"]["billing_export"]["status"])
               for e in outbox("notes.note.finalized")]
    assert exports == [(practice.users["therapist"], "pending"), (None, "held")]
    assert "Amy Brooks is not a provider" in done.get_json()["billing_export"]["reason"]
