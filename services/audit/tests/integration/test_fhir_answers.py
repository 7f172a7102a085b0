"""GET /events and GET /stream answer as FHIR R4 AuditEvents when asked, validated by
fhir.resources, and keep the platform's own JSON otherwise."""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import urlsplit

import pytest
from audit_harness import access, bearer, new_id, practice_created, token_verifier, user_created
from fhir.resources.R4B.auditevent import AuditEvent
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.parameters import Parameters
from test_security_stream import sse_events
from test_sign_in_attempts_on_record import EMAIL, sign_in_failed, signed_in

from audit.app import create_app
from audit.domain.fhir_audit import RECORD_POSITION, USER_AGENT

pytestmark = pytest.mark.integration
FHIR_JSON = "application/fhir+json"


@pytest.fixture
def practice(feed):
    org, owner = new_id(), new_id()
    feed(practice_created(org, owner), user_created(org, owner, EMAIL),
         sign_in_failed(org, "203.0.113.9"), signed_in(org, owner, "2001:db8::20"),
         access("notes.note.viewed", org, owner, "patient-1"))
    return org


def bundle_of(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == FHIR_JSON
    bundle = response.get_json(force=True)
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        AuditEvent.model_validate(entry["resource"])
    return bundle


def test_accept_fhir_json_answers_a_searchset_bundle_of_audit_events(app_client, practice):
    client, token = app_client
    bundle = bundle_of(client.get("/events", headers={**token(practice), "Accept": FHIR_JSON}))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    assert len(bundle["entry"]) == 5
    viewed = bundle["entry"][-1]["resource"]
    assert viewed["type"]["code"] == "110110" and viewed["action"] == "R"
    assert {"reference": "Patient/patient-1"} in [e["what"] for e in viewed["entity"]]


def test_format_fhir_asks_the_same_and_json_stays_the_default(app_client, practice):
    client, token = app_client
    by_query = bundle_of(client.get("/events?format=fhir", headers=token(practice)))
    assert len(by_query["entry"]) == 5
    plain = client.get("/events", headers={**token(practice), "Accept": "*/*"})
    assert plain.mimetype == "application/json" and len(plain.get_json()["events"]) == 5
    preferred = client.get("/events", headers={
        **token(practice), "Accept": f"application/json, {FHIR_JSON};q=0.5"})
    assert "events" in preferred.get_json()
    forced = client.get("/events?format=json", headers={**token(practice), "Accept": FHIR_JSON})
    assert "events" in forced.get_json()
    assert client.get("/events?format=xml", headers=token(practice)).status_code == 422


def test_the_next_link_pages_through_the_whole_record(app_client, practice):
    client, token = app_client
    url, seen = "/events?limit=2&format=fhir", []
    while url:
        bundle = bundle_of(client.get(url, headers=token(practice)))
        seen.extend(e["resource"]["id"] for e in bundle["entry"])
        following = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        url = "{0.path}?{0.query}".format(urlsplit(following[0])) if following else None
    everything = client.get("/events", headers=token(practice)).get_json()["events"]
    assert seen == [e["event"]["id"] for e in everything]


def test_sign_ins_carry_their_source_address_and_browser_in_fhir(app_client, practice):
    client, token = app_client
    failed = bundle_of(client.get(
        "/events?type=identity.session.sign_in_failed",
        headers={**token(practice), "Accept": FHIR_JSON}))["entry"][0]["resource"]
    assert (failed["type"]["code"], failed["outcome"]) == ("110114", "4")
    [agent] = failed["agent"]
    assert agent["network"] == {"address": "203.0.113.9", "type": "2"}
    assert agent["extension"] == [{"url": USER_AGENT, "valueString": "Guesser/1.0"}]
    assert agent["altId"] == EMAIL
    succeeded = bundle_of(client.get(
        "/events?type=identity.session.signed_in",
        headers={**token(practice), "Accept": FHIR_JSON}))["entry"][0]["resource"]
    assert succeeded["outcome"] == "0"
    assert succeeded["agent"][0]["network"]["address"] == "2001:db8::20"
    assert succeeded["agent"][0]["extension"][0]["valueString"] == "Firefox/140.0"


@pytest.fixture
def stream(audit):
    config = replace(audit.config, stream_poll_seconds=0.02, stream_heartbeat_seconds=0.1)
    return create_app(config, verifier=token_verifier()).test_client()


def test_the_stream_sends_one_audit_event_a_line_as_fhir_ndjson(stream, practice):
    response = stream.get("/stream?after=0&max_seconds=0.4", headers={
        **bearer(practice), "Accept": "application/fhir+ndjson"})
    assert response.status_code == 200 and response.mimetype == "application/fhir+ndjson"
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    events = [line for line in lines if line["resourceType"] == "AuditEvent"]
    for event in events:
        AuditEvent.model_validate(event)
    for marker in (line for line in lines if line["resourceType"] == "Parameters"):
        Parameters.model_validate(marker)
    assert len(events) == 5
    assert lines[-1]["parameter"][0] == {"name": "kind", "valueCode": "end"}
    # Each carries its position: a consumer resumes after the last one it handled.
    third = next(e["valueString"] for e in events[2]["extension"] if e["url"] == RECORD_POSITION)
    resumed = stream.get(f"/stream?after={third}&max_seconds=0.3&format=fhir", headers={
        **bearer(practice), "Accept": "application/x-ndjson"})
    again = [json.loads(line) for line in resumed.get_data(as_text=True).splitlines()]
    assert [e["id"] for e in again if e["resourceType"] == "AuditEvent"] == [
        e["id"] for e in events[3:]]


def test_the_stream_sends_audit_events_over_sse_with_format_fhir(stream, practice):
    response = stream.get("/stream?after=0&max_seconds=0.3&format=fhir",
                          headers=bearer(practice))
    assert response.mimetype == "text/event-stream"
    blocks = [b for b in sse_events(response.get_data(as_text=True)) if "data" in b]
    resources = [json.loads(b["data"]) for b in blocks]
    for resource in resources:
        AuditEvent.model_validate(resource)
    assert [r["subtype"][-1]["code"] for r in resources][2:4] == [
        "identity.session.sign_in_failed", "identity.session.signed_in"]
    positions = [int(b["id"]) for b in blocks]
    assert positions == sorted(positions)
