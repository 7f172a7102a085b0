"""Every status change of an alert is kept, append-only, and shown with the alert; each
acknowledgement, resolution and reopening goes out as an event."""

import json

import pytest
from audit_harness import new_id, practice_created, user_created
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from audit.adapters.tables import alert_status_changes, alerts, messaging
from audit.domain.recognition import Recognition, Severity
from audit.service_layer.alerts import raise_alert

pytestmark = pytest.mark.integration


@pytest.fixture
def alert(app_client, feed):
    client, bearer = app_client
    org, owner = new_id(), new_id()
    feed(practice_created(org, owner),
         user_created(org, owner, "owner@sunrise.example", role="owner"),
         user_created(org, new_id(), "eve@intruder.example"))
    [found] = client.get("/alerts", headers=bearer(org)).json["alerts"]
    return org, found


def test_the_alert_list_shows_who_changed_it_and_when(app_client, alert):
    client, bearer = app_client
    org, found = alert
    client.post(f"/alerts/{found['id']}/acknowledge", json={"note": "calling Eve"},
                headers=bearer(org, user_id="u-sec"))
    client.post(f"/alerts/{found['id']}/resolve", json={"note": "a new hire"},
                headers=bearer(org, user_id="u-lead"))
    [listed] = client.get("/alerts", headers=bearer(org)).json["alerts"]
    assert [(h["status"], h["changed_by"], h["note"]) for h in listed["history"]] == [
        ("open", "system", listed["message"]), ("acknowledged", "u-sec", "calling Eve"),
        ("resolved", "u-lead", "a new hire")]


def test_a_resolution_is_published(audit, app_client, alert):
    client, bearer = app_client
    org, found = alert
    client.post(f"/alerts/{found['id']}/resolve", json={"note": "a new hire"},
                headers=bearer(org, user_id="u-lead"))
    with audit.engine.connect() as conn:
        [payload] = conn.execute(select(messaging.outbox.c.payload).where(
            messaging.outbox.c.event_type == "audit.alert.resolved")).scalars().all()
    assert json.loads(payload)["data"] == {
        "alert_id": found["id"], "reason": "unrecognized_domain", "severity": "high",
        "profile_id": found["profile_id"], "resolved_by": "u-lead",
        "triggering_event_id": None}


def _published(audit, event_type):
    with audit.engine.connect() as conn:
        return [json.loads(p)["data"] for p in conn.execute(
            select(messaging.outbox.c.payload).where(
                messaging.outbox.c.event_type == event_type)).scalars()]


def test_acknowledge_resolve_reopen_keep_every_step_and_each_is_published(
        audit, app_client, alert):
    client, bearer = app_client
    org, found = alert
    url = f"/alerts/{found['id']}"
    steps = [("acknowledge", "u-sec", "calling Eve"), ("resolve", "u-lead", "a new hire"),
             ("reopen", "u-sec", "Eve never started"), ("resolve", "u-lead", "removed Eve")]
    for step, who, note in steps:
        answer = client.post(f"{url}/{step}", json={"note": note}, headers=bearer(org, user_id=who))
        assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "resolved"
    assert [(h["status"], h["changed_by"], h["note"]) for h in answer.json["history"]] == [
        ("open", "system", found["message"]), ("acknowledged", "u-sec", "calling Eve"),
        ("resolved", "u-lead", "a new hire"), ("open", "u-sec", "Eve never started"),
        ("resolved", "u-lead", "removed Eve")]
    [listed] = client.get("/alerts", headers=bearer(org)).json["alerts"]
    assert listed["history"] == answer.json["history"]
    common = {"alert_id": found["id"], "reason": "unrecognized_domain", "severity": "high",
              "profile_id": found["profile_id"]}
    assert _published(audit, "audit.alert.acknowledged") == [{**common,
                                                               "acknowledged_by": "u-sec"}]
    assert _published(audit, "audit.alert.reopened") == [{**common, "reopened_by": "u-sec"}]
    assert [d["resolved_by"] for d in _published(audit, "audit.alert.resolved")] == [
        "u-lead", "u-lead"]


def test_only_a_resolved_alert_can_be_reopened(app_client, alert):
    client, bearer = app_client
    org, found = alert
    answer = client.post(f"/alerts/{found['id']}/reopen", json={"note": "again"},
                         headers=bearer(org))
    assert (answer.status_code, answer.json["error"]["code"]) == (409, "alert_not_resolved")
    [listed] = client.get("/alerts", headers=bearer(org)).json["alerts"]
    assert [h["status"] for h in listed["history"]] == ["open"]


def test_a_resolved_alert_is_not_reopened_beside_a_newer_one_for_the_same_finding(
        audit, app_client, alert):
    client, bearer = app_client
    org, found = alert
    client.post(f"/alerts/{found['id']}/resolve", json={"note": "ok"}, headers=bearer(org))
    with audit.uow() as uow:
        subject_key = uow.session.execute(select(alerts.c.subject_key).where(
            alerts.c.id == found["id"])).scalar_one()
        newer = raise_alert(uow, Recognition(False, found["reason"], "again", Severity.HIGH),
                            org_id=org, subject_key=subject_key,
                            profile_id=found["profile_id"], trigger={"id": new_id()})
        uow.commit()
    answer = client.post(f"/alerts/{found['id']}/reopen", json={"note": "again"},
                         headers=bearer(org))
    assert (answer.status_code, answer.json["error"]["code"]) == (409, "alert_superseded")
    assert answer.json["error"]["details"] == {"alert_id": newer}


@pytest.mark.parametrize("statement", [
    "UPDATE alert_status_changes SET changed_by = 'someone else'",
    "DELETE FROM alert_status_changes"])
def test_the_status_history_cannot_be_rewritten_in_the_database(audit, alert, statement):
    with pytest.raises(DBAPIError, match="append-only"), audit.engine.begin() as conn:
        conn.execute(text(statement))
    with audit.engine.connect() as conn:
        assert conn.execute(select(alert_status_changes)).first() is not None
