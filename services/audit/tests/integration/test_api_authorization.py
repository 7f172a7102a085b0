"""Every endpoint: no token 401, no view_audit 403, another practice's data invisible."""

import pytest
from audit_harness import access, new_id, practice_created, user_created

pytestmark = pytest.mark.integration

READS = [
    "/events",
    "/alerts",
    "/reports/access?user_id=u-1",
    "/reports/patient-access?patient_id=p-1",
    "/verify",
    "/breach-assessments",
    "/stream",
]
WRITES = [
    ("/alerts/{alert}/acknowledge", {"note": "looking"}),
    ("/alerts/{alert}/resolve", {"note": "done"}),
    ("/breach-assessments", {"discovered_on": "2026-11-23", "patient_ids": ["p-1"]}),
]


@pytest.fixture
def two_practices(feed):
    """Practice A with an alert and an access; practice B with its own."""
    made = {}
    for name in ("a", "b"):
        org, owner, user, patient = new_id(), new_id(), new_id(), new_id()
        feed(practice_created(org, owner),
             user_created(org, owner, f"owner@{name}.example", role="owner"),
             user_created(org, new_id(), f"eve@intruder-{name}.example"),
             access("notes.note.viewed", org, user, patient, patient_state="OR"))
        made[name] = {"org": org, "user": user, "patient": patient}
    return made


def alert_of(client, bearer, org):
    [alert] = client.get("/alerts", headers=bearer(org)).json["alerts"]
    return alert


@pytest.mark.parametrize("path", READS)
def test_reads_without_a_token_are_unauthorized(app_client, path):
    client, _ = app_client
    response = client.get(path)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("path", READS)
def test_reads_without_view_audit_are_forbidden(app_client, path):
    client, bearer = app_client
    response = client.get(path, headers=bearer(new_id(), perms=("view_patients",)))
    assert response.status_code == 403
    assert response.json["error"]["details"] == {"missing": ["view_audit"]}


@pytest.mark.parametrize("path, body", WRITES)
def test_writes_need_a_token_and_view_audit(app_client, path, body):
    client, bearer = app_client
    url = path.format(alert=new_id())
    assert client.post(url, json=body).status_code == 401
    assert client.post(url, json=body, headers=bearer(new_id(), perms=())).status_code == 403


def test_events_show_only_the_callers_practice(app_client, two_practices):
    client, bearer = app_client
    a, b = two_practices["a"], two_practices["b"]
    events = client.get("/events", headers=bearer(a["org"])).json["events"]
    assert len(events) == 4
    assert {e["event"]["org_id"] for e in events} == {a["org"]}
    refused = client.get(f"/events?org_id={b['org']}", headers=bearer(a["org"]))
    assert refused.status_code == 403


def test_vendor_security_sees_every_practice(app_client, two_practices):
    client, bearer = app_client
    headers = bearer(None, kind="vendor")
    events = client.get("/events", headers=headers).json["events"]
    assert len(events) == 8
    narrowed = client.get(f"/events?org_id={two_practices['b']['org']}", headers=headers)
    assert len(narrowed.json["events"]) == 4
    assert len(client.get("/alerts", headers=headers).json["alerts"]) == 2


def test_events_page_by_cursor_and_filter(app_client, two_practices):
    client, bearer = app_client
    a = two_practices["a"]
    first = client.get("/events?limit=3", headers=bearer(a["org"])).json
    assert len(first["events"]) == 3 and first["next_cursor"] is not None
    rest = client.get(f"/events?limit=3&cursor={first['next_cursor']}",
                      headers=bearer(a["org"])).json
    assert len(rest["events"]) == 1 and rest["next_cursor"] is None
    only = client.get("/events?type=notes.note.viewed", headers=bearer(a["org"])).json
    assert [e["event"]["patient_id"] for e in only["events"]] == [a["patient"]]
    assert client.get(f"/events?patient={a['patient']}&actor={a['user']}",
                      headers=bearer(a["org"])).json["events"][0]["event"]["type"] == (
                          "notes.note.viewed")


def test_the_record_cannot_be_changed_through_the_api(app_client, two_practices):
    client, bearer = app_client
    for method in (client.put, client.patch, client.delete):
        assert method("/events", headers=bearer(two_practices["a"]["org"])).status_code == 405


def test_another_practices_alert_cannot_be_acknowledged(app_client, two_practices):
    client, bearer = app_client
    a, b = two_practices["a"], two_practices["b"]
    alert = alert_of(client, bearer, b["org"])
    response = client.post(f"/alerts/{alert['id']}/acknowledge", json={"note": "mine?"},
                           headers=bearer(a["org"]))
    assert response.status_code == 404


def test_an_alert_is_acknowledged_then_resolved_with_notes(app_client, two_practices):
    client, bearer = app_client
    org = two_practices["a"]["org"]
    alert = alert_of(client, bearer, org)
    assert alert["status"] == "open"
    assert alert["access_report"] == f"/reports/access?user_id={alert['profile_id']}"
    acked = client.post(f"/alerts/{alert['id']}/acknowledge", json={"note": "calling Eve"},
                        headers=bearer(org, user_id="u-sec"))
    assert acked.status_code == 200
    assert (acked.json["status"], acked.json["status_by"]) == ("acknowledged", "u-sec")
    resolved = client.post(f"/alerts/{alert['id']}/resolve", json={"note": "a new hire"},
                           headers=bearer(org))
    assert (resolved.json["status"], resolved.json["status_note"]) == ("resolved", "a new hire")
    again = client.post(f"/alerts/{alert['id']}/acknowledge", json={"note": "x"},
                        headers=bearer(org))
    assert again.status_code == 409
    open_only = client.get("/alerts?status=open", headers=bearer(org)).json["alerts"]
    assert open_only == []
    missing_note = client.post(f"/alerts/{alert['id']}/resolve", json={}, headers=bearer(org))
    assert missing_note.status_code == 422


def test_reports_count_only_the_callers_practice(app_client, two_practices):
    client, bearer = app_client
    a, b = two_practices["a"], two_practices["b"]
    own = client.get(f"/reports/access?user_id={a['user']}", headers=bearer(a["org"])).json
    assert (own["total_records"], own["row_count"]) == (1, 1)
    theirs = client.get(f"/reports/access?user_id={b['user']}", headers=bearer(a["org"])).json
    assert theirs["total_records"] == 0
    patient = client.get(f"/reports/patient-access?patient_id={b['patient']}",
                         headers=bearer(a["org"])).json
    assert patient["rows"] == []


def test_breach_assessment_of_a_users_accesses_uses_the_patients_states(
    app_client, two_practices
):
    client, bearer = app_client
    a = two_practices["a"]
    response = client.post("/breach-assessments", headers=bearer(a["org"]), json={
        "discovered_on": "2026-11-23", "user_id": a["user"]})
    assert response.status_code == 201, response.json
    assert (response.json["affected_count"], response.json["per_state"]) == (1, {"OR": 1})
    assert {n["to"]: n["due"] for n in response.json["notices"]} == {
        "individuals": "2027-01-22", "hhs": "2027-03-01"}
    other = client.post("/breach-assessments", headers=bearer(a["org"]), json={
        "discovered_on": "2026-11-23", "patient_ids": [two_practices["b"]["patient"]]})
    assert other.json["unknown_state_count"] == 1  # B's patient state is not A's to see


def test_verify_answers_intact_for_the_callers_chain(app_client, two_practices):
    client, bearer = app_client
    response = client.get("/verify", headers=bearer(two_practices["a"]["org"]))
    assert response.status_code == 200
    assert response.json["intact"] is True
    everything = client.get("/verify", headers=bearer(None, kind="vendor")).json
    assert everything["intact"] and everything["records_checked"] == 8
