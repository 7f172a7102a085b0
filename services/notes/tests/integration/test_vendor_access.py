"""Vendor staff under an access grant: they read what the grant's scope allows, every read is an
access event naming them, they write nothing, and a revoked grant stops them at once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from notes.spec import SPEC

pytestmark = pytest.mark.integration

ISSUER, AUDIENCE, KID = "clinic-identity", "clinic-platform", "notes-test-key"
REVENUE_CYCLE = ["view_patients"]  # identity's domain/vendor_support.py, scope revenue_cycle


@pytest.fixture
def vendor(signing_key, practice):
    """A revenue-cycle employee of the vendor, signed in to the practice under a grant."""
    user_id, session_id = str(uuid.uuid4()), str(uuid.uuid4())
    now = datetime.now(UTC)
    claims = {
        "sub": user_id, "org": practice.id, "kind": "vendor", "email": "rcm@vendor.example",
        "user_type": None, "perms": REVENUE_CYCLE, "clinics": [practice.clinic_id], "pv": 1,
        "sid": session_id, "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=10)).timestamp()),
        "iss": ISSUER, "aud": AUDIENCE, "jti": str(uuid.uuid4()),
    }
    token = jwt.encode(claims, signing_key, algorithm="EdDSA", headers={"kid": KID})
    return {"id": user_id, "session_id": session_id,
            "headers": {"Authorization": f"Bearer {token}"}}


@pytest.fixture
def end_session(app, identity_event, practice):
    """Deliver identity.session.revoked (a grant revoked) to the notes.token_state handler."""
    [keep] = [s for s in SPEC.subscriptions if s.queue == "notes.token_state"]

    def end(user_id: str, session_id: str) -> None:
        event = identity_event("identity.session.revoked", ("user", user_id), practice.id,
                               {"session_id": session_id, "reason": "access_grant_revoked"})
        with app.extensions["servicekit.runtime"].uow() as uow:
            keep.handler(uow, event)
            uow.commit()
    return end


@pytest.fixture
def finalized(as_, practice, chart, start):
    therapist = as_(practice, "therapist")
    note = start(therapist, chart)
    therapist.patch(f"/notes/{note['id']}", json={"version": 1,
                                                  "billing_sheet": [{"code": "97110"}]})
    assert therapist.post(f"/notes/{note['id']}/finalize",
                          json={"version": 2}).status_code == 200
    return note


def test_revenue_cycle_reads_a_patient_and_a_note_and_each_read_names_the_vendor(
    client, vendor, practice, chart, finalized, outbox
):
    patient = client.get(f"/patients/{chart['patient_id']}", headers=vendor["headers"])
    assert patient.status_code == 200, patient.get_json()
    note = client.get(f"/notes/{finalized['id']}", headers=vendor["headers"])
    assert note.status_code == 200, note.get_json()
    [patient_viewed] = outbox("notes.patient.viewed")
    [note_viewed] = outbox("notes.note.viewed")
    for event in (patient_viewed, note_viewed):
        assert event["actor"]["id"] == vendor["id"] and event["actor"]["kind"] == "vendor"
        assert event["org_id"] == practice.id
        assert event["patient_id"] == chart["patient_id"]


def test_revenue_cycle_reads_charges_billing_codes_and_the_chart(client, vendor, chart,
                                                                 finalized, outbox):
    before = len(outbox())
    reads = [f"/patients/{chart['patient_id']}/transactions",
             f"/patients/{chart['patient_id']}/notes", f"/notes/{finalized['id']}/billing-codes",
             f"/notes/{finalized['id']}/pdf", f"/cases/{chart['case_id']}", "/insurances",
             "/patients"]
    for url in reads:
        response = client.get(url, headers=vendor["headers"])
        assert response.status_code == 200, (url, response.get_json())
    read = outbox()[before:]
    assert {e["type"] for e in read} == {"notes.patient.viewed", "notes.note.downloaded",
                                         "notes.case.viewed", "notes.patient.searched"}
    assert all(e["actor"] == {"id": vendor["id"], "email": "rcm@vendor.example",
                              "kind": "vendor", "user_type": None} for e in read)
    [charge] = client.get(f"/patients/{chart['patient_id']}/transactions",
                          headers=vendor["headers"]).get_json()
    assert charge["code"] == "97110"


def test_revenue_cycle_writes_nothing(client, vendor, practice, chart, finalized, outbox):
    before = len(outbox())
    [charge] = client.get(f"/patients/{chart['patient_id']}/transactions",
                          headers=vendor["headers"]).get_json()
    writes = [
        ("POST", "/patients", {"clinic_id": practice.clinic_id, "first_name": "New",
                               "last_name": "Patient", "date_of_birth": "2001-01-01"}),
        ("PATCH", f"/patients/{chart['patient_id']}", {"phone": "555-0199"}),
        ("POST", "/notes", {"case_id": chart["case_id"], "kind": "daily_note",
                            "date_of_service": "2026-11-20"}),
        ("POST", f"/notes/{finalized['id']}/addenda", {"text": "From the vendor."}),
        ("DELETE", f"/transactions/{charge['id']}", None),
        ("POST", "/cases", {"patient_id": chart["patient_id"],
                            "insurance_id": chart["insurance_id"]}),
    ]
    for method, url, body in writes:
        response = client.open(url, method=method, json=body, headers=vendor["headers"])
        assert response.status_code == 403, (method, url, response.get_json())
    # Only the one read above left an event: no write happened.
    assert [e["type"] for e in outbox()[before:]] == ["notes.patient.viewed"]


def test_a_revoked_grant_stops_the_vendors_token_at_once(client, vendor, chart, end_session):
    url = f"/patients/{chart['patient_id']}"
    assert client.get(url, headers=vendor["headers"]).status_code == 200
    end_session(vendor["id"], vendor["session_id"])
    refused = client.get(url, headers=vendor["headers"])
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "session_ended"
