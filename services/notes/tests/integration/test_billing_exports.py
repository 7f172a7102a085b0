"""Finalized notes reach the billing system once: the local folder, an HTTP endpoint with
retries, a worker that dies between sending and recording, and held notes released."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from notes.adapters.billing_senders import FolderBillingSender, HttpBillingSender
from notes.adapters.tables import billing_exports
from notes.service_layer.billing_export_worker import (
    ExportSettings,
    claim_next,
    export_due,
    send,
)

from .billing_receiver import BillingReceiver, start_billing_receiver


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def integration(feed, identity_event, practice):
    def set_providers(*people: str) -> None:
        feed(identity_event(
            "identity.practice.billing_integration_changed", ("practice", practice.id),
            practice.id, {"billing_integration": {
                "name": "AcmeBill", "provider_ids": [practice.users[p] for p in people]}}))
    set_providers("therapist")
    return set_providers


@pytest.fixture
def uow(app):
    return app.extensions["servicekit.runtime"].uow


@pytest.fixture
def receiver():
    found = BillingReceiver()
    server = start_billing_receiver(found)
    yield found
    server.shutdown()


def finalize(session, chart, start) -> dict:
    note = start(session, chart)
    saved = session.patch(f"/notes/{note['id']}", json={
        "version": 1, "billing_sheet": [{"code": "97110", "units": 2}]})
    assert saved.status_code == 200, saved.get_json()
    done = session.post(f"/notes/{note['id']}/finalize", json={"version": 2})
    assert done.status_code == 200, done.get_json()
    return done.get_json()


def exports_of(app) -> list[dict]:
    with app.extensions["servicekit.runtime"].engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(billing_exports)).mappings()]


def test_a_finalized_note_is_written_to_the_export_folder_once(
        app, uow, as_, practice, chart, start, integration, outbox, tmp_path):
    note = finalize(as_(practice, "therapist"), chart, start)
    folder = tmp_path / "billing-exports"
    settings = ExportSettings(FolderBillingSender(folder))

    first = export_due(uow(), settings, Clock())
    again = export_due(uow(), settings, Clock())

    (export,) = exports_of(app)
    assert (first.sent, again.sent) == (1, 0)
    assert export["status"] == "sent" and export["attempts"] == 1
    written = json.loads((folder / f"{export['id']}.json").read_text())
    assert written["note_id"] == note["id"]
    assert written["provider_id"] == practice.users["therapist"]
    assert [(c["code"], c["units"]) for c in written["charges"]] == [("97110", 2)]
    assert [p.name for p in folder.iterdir()] == [f"{export['id']}.json"]
    (event,) = outbox("notes.note.exported_to_billing")
    assert event["subject"]["id"] == note["id"] and event["data"]["export_id"] == export["id"]
    assert as_(practice, "therapist").get(
        f"/notes/{note['id']}").get_json()["billing_export"]["status"] == "sent"


def test_http_export_is_retried_after_a_500_and_sent_once(
        app, uow, as_, practice, chart, start, integration, outbox, receiver):
    receiver.fail_first = 1
    finalize(as_(practice, "therapist"), chart, start)
    settings = ExportSettings(HttpBillingSender(receiver.url, "billing-secret", 5.0))
    clock = Clock()

    first = export_due(uow(), settings, clock)
    too_soon = export_due(uow(), settings, clock)  # the backoff has not passed
    clock.advance(1.5)
    second = export_due(uow(), settings, clock)

    (export,) = exports_of(app)
    assert (first.failed, too_soon.sent, second.sent) == (1, 0, 1)
    assert receiver.keys() == [export["id"], export["id"]]
    assert receiver.calls[-1][0]["Authorization"] == "Bearer billing-secret"
    assert export["status"] == "sent" and export["attempts"] == 2
    assert len(outbox("notes.note.exported_to_billing")) == 1


def test_an_export_whose_worker_died_after_sending_is_resent_with_the_same_key_and_recorded_once(
        app, uow, as_, practice, chart, start, integration, outbox, receiver):
    finalize(as_(practice, "therapist"), chart, start)
    settings = ExportSettings(HttpBillingSender(receiver.url, None, 5.0))
    clock = Clock()
    # The first worker claims and sends, then is killed before it records the send.
    claimed = claim_next(uow(), clock(), set())
    assert send(settings.sender, claimed) is None

    clock.advance(1.5)
    done = export_due(uow(), settings, clock)

    (export,) = exports_of(app)
    assert done.sent == 1
    assert receiver.keys() == [export["id"], export["id"]]  # the receiver deduplicates
    assert export["status"] == "sent"
    assert len(outbox("notes.note.exported_to_billing")) == 1
    assert export_due(uow(), settings, clock).sent == 0


def test_an_export_that_keeps_failing_is_given_up_as_failed(
        app, uow, as_, practice, chart, start, integration, receiver):
    receiver.fail_first = 10
    finalize(as_(practice, "therapist"), chart, start)
    settings = ExportSettings(HttpBillingSender(receiver.url, None, 5.0), max_attempts=2)
    clock = Clock()

    export_due(uow(), settings, clock)
    clock.advance(1.5)
    done = export_due(uow(), settings, clock)

    (export,) = exports_of(app)
    assert done.given_up == 1
    assert (export["status"], export["attempts"], export["last_error"]) == ("failed", 2,
                                                                            "HTTP 500")


def test_a_held_note_is_listed_for_billing_staff_and_sent_once_its_assistant_is_a_provider(
        app, uow, as_, practice, chart, start, integration, outbox, tmp_path):
    note = finalize(as_(practice, "assistant"), chart, start)
    settings = ExportSettings(FolderBillingSender(tmp_path / "billing-exports"))
    assert note["billing_export"]["status"] == "held"
    (held_event,) = outbox("notes.note.billing_held")
    assert held_event["data"]["reason_code"] == "assistant_not_a_provider"
    assert export_due(uow(), settings, Clock()).sent == 0

    listed = as_(practice, "manager").get("/billing/held-notes")
    assert listed.status_code == 200, listed.get_json()
    (line,) = listed.get_json()["items"]
    assert (line["note_id"], line["patient_id"], line["author_id"], line["reason_code"]) == (
        note["id"], chart["patient_id"], practice.users["assistant"],
        "assistant_not_a_provider")
    assert "Amy Brooks is not a provider in AcmeBill" in line["reason"]
    viewed = [e for e in outbox("notes.patient.viewed") if e["data"]["section"] == "billing_held"]
    assert [(e["patient_id"], e["data"]["note_ids"]) for e in viewed] == [
        (chart["patient_id"], [note["id"]])]

    integration("therapist", "assistant")
    done = export_due(uow(), settings, Clock())

    assert done.sent == 1
    assert as_(practice, "manager").get("/billing/held-notes").get_json()["items"] == []
    (export,) = exports_of(app)
    assert export["status"] == "sent"
    assert [e["subject"]["id"] for e in outbox("notes.note.exported_to_billing")] == [note["id"]]
    assert as_(practice, "assistant").get(
        f"/notes/{note['id']}").get_json()["billing_export"]["provider_id"] == (
        practice.users["assistant"])


def test_only_billing_staff_list_held_notes(as_, practice, integration):
    refused = as_(practice, "therapist").get("/billing/held-notes")

    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "held_notes_refused"
    assert as_(practice, "clerical").get("/billing/held-notes").status_code == 403


def test_without_a_billing_integration_no_export_is_recorded(app, as_, practice, chart, start):
    note = finalize(as_(practice, "therapist"), chart, start)

    assert note["billing_export"]["status"] == "no_integration"
    assert exports_of(app) == []
