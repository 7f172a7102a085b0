"""Breach assessments: stored with inputs, factors and assessor; listed, read, exported, evented."""

import json

import pytest
from audit_harness import access, new_id, practice_created, user_created
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from audit.adapters.tables import breach_assessments, messaging

pytestmark = pytest.mark.integration
FACTORS = ("nature_and_extent", "unauthorized_person", "acquired_or_viewed", "mitigation")


def all_low():
    return [{"factor": f, "rating": "low", "rationale": f"assessed {f}"} for f in FACTORS]


@pytest.fixture
def incident(feed):
    """Practice A: a suspect who viewed 3 patients (7 records); practice B: its own."""
    made = {}
    for name in ("a", "b"):
        org, owner, suspect = new_id(), new_id(), new_id()
        patients = [new_id() for _ in range(3)]
        feed(practice_created(org, owner),
             user_created(org, owner, f"owner@{name}.example", role="owner"))
        for patient, times, state in zip(patients, (1, 2, 4), ("OR", "OR", "WA"), strict=True):
            for _ in range(times):
                feed(access("notes.note.viewed", org, suspect, patient, patient_state=state))
        made[name] = {"org": org, "suspect": suspect, "patients": patients}
    return made


def created_events(audit):
    outbox = messaging.outbox
    with audit.engine.connect() as conn:
        payloads = conn.execute(select(outbox.c.payload).where(
            outbox.c.event_type == "audit.breach_assessment.created")).scalars().all()
    return [json.loads(p) for p in payloads]


def assess(client, headers, **body):
    response = client.post("/breach-assessments", headers=headers,
                           json={"discovered_on": "2026-11-23", **body})
    assert response.status_code == 201, response.json
    return response.json


def test_an_assessment_of_suspect_profiles_is_stored_with_its_inputs_and_maker(
    app_client, incident, audit
):
    client, bearer = app_client
    a = incident["a"]
    made = assess(client, bearer(a["org"], user_id="u-privacy"),
                  suspect_profiles=[a["suspect"]], summary="Badge left unlocked")
    assert (made["affected_count"], made["per_state"]) == (3, {"OR": 2, "WA": 1})
    assert made["created_by"]["id"] == "u-privacy" and made["org_id"] == a["org"]
    assert made["inputs"]["suspect_profiles"] == [a["suspect"]]
    assert made["inputs"]["summary"] == "Badge left unlocked"
    assert made["risk"] == {"factors": [], "probability_of_compromise": "not_low",
                            "notification_required": True, "records_touched": 7}
    assert {n["to"]: n["due"] for n in made["notices"]} == {
        "individuals": "2027-01-22", "hhs": "2027-03-01"}
    assert sorted(p["patient_id"] for p in made["affected"]) == sorted(a["patients"])

    read = client.get(f"/breach-assessments/{made['id']}", headers=bearer(a["org"])).json
    assert read == made and read["intact"] is True
    listed = client.get("/breach-assessments", headers=bearer(a["org"])).json["assessments"]
    assert [x["id"] for x in listed] == [made["id"]] and "affected" not in listed[0]


def test_the_assessment_is_published_with_ids_and_dates_only(app_client, incident, audit):
    client, bearer = app_client
    a = incident["a"]
    made = assess(client, bearer(a["org"]), suspect_profiles=[a["suspect"]],
                  summary="a note that must not travel")
    [event] = created_events(audit)
    assert event["org_id"] == a["org"] and event["subject"]["id"] == made["id"]
    assert event["data"]["content_hash"] == made["content_hash"]
    assert event["data"]["due"] == {"individuals": "2027-01-22", "hhs": "2027-03-01"}
    payload = json.dumps(event)
    assert "must not travel" not in payload
    assert not any(p in payload for p in a["patients"])


def test_four_low_factors_with_no_accesses_owe_no_notices(app_client, incident):
    client, bearer = app_client
    a = incident["a"]
    made = assess(client, bearer(a["org"]), patient_ids=[a["patients"][0]], factors=all_low())
    assert made["risk"]["probability_of_compromise"] == "low"
    assert made["risk"]["notification_required"] is False
    assert made["notices"] == [] and made["affected_count"] == 1


def test_claiming_nothing_was_viewed_against_the_record_still_owes_notices(app_client,
                                                                          incident):
    client, bearer = app_client
    a = incident["a"]
    made = assess(client, bearer(a["org"]), suspect_profiles=[a["suspect"]],
                  factors=all_low())
    assert made["risk"]["notification_required"] is True
    assert any("touched 7 records" in note for note in made["notes"])


def test_another_practice_cannot_list_or_read_an_assessment(app_client, incident):
    client, bearer = app_client
    a, b = incident["a"], incident["b"]
    made = assess(client, bearer(a["org"]), suspect_profiles=[a["suspect"]])
    assert client.get("/breach-assessments", headers=bearer(b["org"])).json == {
        "assessments": [], "next_cursor": None}
    assert client.get(f"/breach-assessments/{made['id']}",
                      headers=bearer(b["org"])).status_code == 404
    # B's suspect is not A's to count: assessing them from A finds nobody affected.
    theirs = assess(client, bearer(a["org"]), suspect_profiles=[b["suspect"]])
    assert theirs["affected_count"] == 0
    vendor = client.get("/breach-assessments", headers=bearer(None, kind="vendor")).json
    assert len(vendor["assessments"]) == 2


def test_an_assessment_exports_as_csv(app_client, incident):
    client, bearer = app_client
    a = incident["a"]
    made = assess(client, bearer(a["org"]), suspect_profiles=[a["suspect"]])
    response = client.get(f"/breach-assessments/{made['id']}?format=csv",
                          headers=bearer(a["org"]))
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "patient_id,state" and len(lines[1:4]) == 3
    assert lines[5] == "notice_to,due,state,instruction"
    assert lines[6].startswith("individuals,2027-01-22")


def test_a_request_without_suspects_or_patients_or_with_a_twice_rated_factor_is_refused(
    app_client, incident
):
    client, bearer = app_client
    headers = bearer(incident["a"]["org"])
    empty = client.post("/breach-assessments", headers=headers,
                        json={"discovered_on": "2026-11-23"})
    assert empty.status_code == 422
    twice = client.post("/breach-assessments", headers=headers, json={
        "discovered_on": "2026-11-23", "patient_ids": ["p-1"],
        "factors": [*all_low(), all_low()[0]]})
    assert twice.status_code == 422


def test_stored_assessments_cannot_be_changed_and_a_change_behind_the_triggers_shows(
    app_client, incident, audit
):
    client, bearer = app_client
    a = incident["a"]
    made = assess(client, bearer(a["org"]), suspect_profiles=[a["suspect"]])
    with pytest.raises(DatabaseError, match="append-only"), audit.engine.begin() as conn:
        conn.execute(breach_assessments.update().values(affected_count=0))
    with pytest.raises(DatabaseError, match="append-only"), audit.engine.begin() as conn:
        conn.execute(breach_assessments.delete())
    with audit.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE breach_assessments DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER breach_assessments_no_update"))
        conn.execute(breach_assessments.update().values(affected_count=0))
    read = client.get(f"/breach-assessments/{made['id']}", headers=bearer(a["org"])).json
    assert read["affected_count"] == 0 and read["intact"] is False
