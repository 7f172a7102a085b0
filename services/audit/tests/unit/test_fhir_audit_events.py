"""Each stored event becomes a valid FHIR R4 AuditEvent (checked by fhir.resources' models,
whose R4B AuditEvent and Bundle have R4's elements): standard codes, who, where from, which
patients by id, and nothing of the event's data beyond ids and codes."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fhir.resources.R4B.auditevent import AuditEvent
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.parameters import Parameters
from pydantic import ValidationError

from audit.domain.fhir_audit import (
    USER_AGENT,
    audit_bundle,
    audit_event,
    instant,
    stream_marker,
)
from audit.domain.fhir_codes import DCM, HL7_EVENT_TYPE, PLATFORM_EVENT_TYPE, action_of

WHEN = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=UTC)
STAFF = {"id": "u-1", "email": "sam@sunrise.example", "kind": "staff", "user_type": "PT"}


def envelope(event_type: str, *, actor: dict | None = STAFF, subject: tuple = ("note", "n-1"),
             patient_id: str | None = None, **data: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": event_type, "version": 1,
            "occurred_at": WHEN.isoformat(), "producer": event_type.split(".")[0],
            "org_id": "org-1", "actor": actor, "correlation_id": "req-1",
            "subject": {"type": subject[0], "id": subject[1]}, "patient_id": patient_id,
            "data": data}


def as_fhir(env: dict[str, Any], position: int = 7) -> dict[str, Any]:
    resource = audit_event(env, position=position, received_at=WHEN, record_hash="ab" * 32)
    AuditEvent.model_validate(resource)  # raises unless it is a valid AuditEvent
    return resource


def codes(resource: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["system"], c["code"]) for c in [resource["type"], *resource["subtype"]]]


def test_a_failed_sign_in_is_a_failed_login_from_its_address_and_browser():
    env = envelope("identity.session.sign_in_failed", actor=None, subject=("sign_in", "h" * 32),
                   email="owner@sunrise.example", account="staff", reason="wrong_credentials",
                   throttled=False, source_address="203.0.113.9", user_agent="Guesser/1.0")
    resource = as_fhir(env)
    assert codes(resource)[:2] == [(DCM, "110114"), (DCM, "110122")]
    assert (resource["action"], resource["outcome"]) == ("E", "4")
    assert resource["outcomeDesc"] == "wrong_credentials"
    [agent] = resource["agent"]
    assert agent["requestor"] is True and agent["altId"] == "owner@sunrise.example"
    assert agent["network"] == {"address": "203.0.113.9", "type": "2"}
    assert agent["extension"] == [{"url": USER_AGENT, "valueString": "Guesser/1.0"}]
    assert resource["source"]["observer"]["display"] == "identity"
    assert resource["source"]["site"] == "org-1"


def test_a_successful_sign_in_names_the_user_and_their_ipv6_address():
    env = envelope("identity.session.signed_in", subject=("user", "u-1"), session_id="s-1",
                   account="staff", source_address="2001:db8::7", user_agent="Firefox/140.0")
    resource = as_fhir(env)
    assert resource["outcome"] == "0" and "outcomeDesc" not in resource
    [agent] = resource["agent"]
    assert agent["who"]["identifier"]["value"] == "u-1"
    assert agent["who"]["display"] == "sam@sunrise.example"
    assert agent["role"][0]["coding"][0]["code"] == "PT"
    assert agent["network"]["address"] == "2001:db8::7"


def test_a_read_of_a_patients_note_names_the_patient_by_reference_only():
    env = envelope("notes.note.viewed", patient_id="p-42", note_id="n-1",
                   full_name="Jane Roe", text="knee pain")
    resource = as_fhir(env)
    assert codes(resource) == [(DCM, "110110"), (PLATFORM_EVENT_TYPE, "notes.note.viewed")]
    assert resource["action"] == "R"
    note, patient = resource["entity"]
    assert patient["what"] == {"reference": "Patient/p-42"}
    assert patient["role"]["code"] == "1"
    assert note["detail"] == [{"type": "note_id", "valueString": "n-1"}]
    text = json.dumps(resource)
    assert "Jane Roe" not in text and "knee pain" not in text


def test_a_search_names_every_patient_it_returned():
    env = envelope("notes.patient.searched", subject=("search", "s-1"),
                   patient_ids=["p-1", "p-2"], query="Roe")
    resource = as_fhir(env)
    assert resource["action"] == "E"
    assert [e["what"].get("reference") for e in resource["entity"]][1:] == [
        "Patient/p-1", "Patient/p-2"]
    assert "Roe" not in json.dumps(resource)


def test_a_share_outside_the_practice_is_an_export_and_an_alert_a_security_alert():
    share = as_fhir(envelope("docportal.share.sent", patient_id="p-1", share_id="sh-1",
                             recipient_email="dr@elsewhere.example"))
    assert share["type"]["code"] == "110106" and share["action"] == "C"
    assert "dr@elsewhere.example" not in json.dumps(share)
    alert = as_fhir(envelope("audit.alert.raised", actor=None, subject=("alert", "a-1"),
                             alert_id="a-1", reason="vendor_profile_without_grant",
                             severity="high", profile_id="u-9"))
    assert alert["type"]["code"] == "110113"
    assert {"type": "severity", "valueString": "high"} in alert["entity"][0]["detail"]
    # No actor: the service that raised it is the agent.
    assert alert["agent"][0]["who"]["display"] == "audit"


def test_an_event_without_a_standard_code_is_a_rest_operation_keeping_its_own_type():
    resource = as_fhir(envelope("identity.clinic.settings_changed", subject=("clinic", "c-1")))
    assert codes(resource) == [(HL7_EVENT_TYPE, "rest"),
                               (PLATFORM_EVENT_TYPE, "identity.clinic.settings_changed")]
    assert resource["action"] == "U"


@pytest.mark.parametrize(("event_type", "action"), [
    ("notes.note.started", "C"), ("docportal.document.downloaded", "R"),
    ("notes.note.finalized", "U"), ("notes.transaction.deleted", "D"),
    ("identity.session.signed_out", "E"), ("identity.user.permissions_changed", "U"),
    ("notes.treatment_plan.sent", "C"), ("notes.treatment_plan.opened", "R"),
    ("notes.treatment_plan.proceeded", "U"), ("notes.treatment_plan.withdrawn", "U"),
])
def test_the_action_follows_the_events_verb(event_type, action):
    assert action_of(event_type) == action


def test_recorded_is_when_it_happened_as_a_fhir_instant():
    resource = as_fhir(envelope("notes.note.viewed", patient_id="p-1"))
    assert resource["recorded"] == "2026-12-01T09:30:15.123Z"
    assert instant("2026-12-01T10:30:15+01:00") == "2026-12-01T09:30:15.000Z"


def test_a_page_is_a_searchset_bundle_with_a_next_link():
    events = [as_fhir(envelope("notes.note.viewed", patient_id="p-1"), position=p)
              for p in (1, 2)]
    bundle = audit_bundle(events, self_url="https://x/events?limit=2",
                          next_url="https://x/events?limit=2&cursor=2", now=WHEN)
    Bundle.model_validate(bundle)
    assert bundle["type"] == "searchset"
    assert bundle["link"][1] == {"relation": "next", "url": "https://x/events?limit=2&cursor=2"}
    assert [e["fullUrl"] for e in bundle["entry"]] == [f"urn:uuid:{e['id']}" for e in events]
    last = audit_bundle([], self_url="https://x/events", next_url=None, now=WHEN)
    Bundle.model_validate(last)
    assert [link["relation"] for link in last["link"]] == ["self"]


def test_stream_heartbeats_are_fhir_parameters_with_the_position():
    marker = stream_marker("heartbeat", 12)
    Parameters.model_validate(marker)
    assert marker["parameter"][1] == {"name": "position", "valueString": "12"}


def test_the_validator_would_catch_a_broken_resource():
    """The checks above mean something: a resource without its source is refused."""
    resource = as_fhir(envelope("notes.note.viewed", patient_id="p-1"))
    del resource["source"]
    with pytest.raises(ValidationError):
        AuditEvent.model_validate(resource)
