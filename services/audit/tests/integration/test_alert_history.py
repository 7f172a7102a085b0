"""Every status change of an alert is kept, append-only, and shown with the alert; a
resolution goes out as audit.alert.resolved."""

import json

import pytest
from audit_harness import new_id, practice_created, user_created
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from audit.adapters.tables import alert_status_changes, messaging

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


@pytest.mark.parametrize("statement", [
    "UPDATE alert_status_changes SET changed_by = 'someone else'",
    "DELETE FROM alert_status_changes"])
def test_the_status_history_cannot_be_rewritten_in_the_database(audit, alert, statement):
    with pytest.raises(DBAPIError, match="append-only"), audit.engine.begin() as conn:
        conn.execute(text(statement))
    with audit.engine.connect() as conn:
        assert conn.execute(select(alert_status_changes)).first() is not None
