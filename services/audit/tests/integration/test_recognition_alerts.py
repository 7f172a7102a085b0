"""Profile recognition on identity's events: alerts stored and published in one transaction."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from audit_harness import (
    deactivated,
    grant_granted,
    new_id,
    practice_created,
    sign_in_failed,
    signed_in,
    user_created,
)
from prometheus_client import REGISTRY
from sqlalchemy import select

from audit.adapters.tables import alerts, messaging

pytestmark = pytest.mark.integration
VENDOR_DOMAIN = "clinicplatform.example"


def stored_alerts(audit):
    with audit.engine.connect() as conn:
        return conn.execute(select(alerts).order_by(alerts.c.raised_at)).mappings().all()


def raised_events(audit):
    outbox = messaging.outbox
    with audit.engine.connect() as conn:
        payloads = conn.execute(select(outbox.c.payload).where(
            outbox.c.event_type == "audit.alert.raised")).scalars().all()
    return [json.loads(p) for p in payloads]


@pytest.fixture
def practice(feed):
    org, owner = new_id(), new_id()
    feed(practice_created(org, owner), user_created(org, owner, "owner@sunrise.example",
                                                    role="owner"))
    return org


def test_vendor_profile_without_grant_raises_an_alert_and_publishes_it(audit, feed, practice):
    counted = {"reason": "vendor_profile_without_grant", "severity": "high"}
    before = REGISTRY.get_sample_value("audit_alerts_raised_total", counted) or 0
    intruder = new_id()
    [trigger] = feed(user_created(practice, intruder, f"sam@{VENDOR_DOMAIN}", kind="vendor",
                                  full_name="Sam Support"))
    [alert] = stored_alerts(audit)
    assert (alert["reason"], alert["severity"], alert["status"]) == (
        "vendor_profile_without_grant", "high", "open")
    assert (alert["profile_id"], alert["org_id"], alert["event_id"]) == (
        intruder, practice, trigger.id)
    [raised] = raised_events(audit)
    assert REGISTRY.get_sample_value("audit_alerts_raised_total", counted) == before + 1
    assert raised["org_id"] == practice
    assert raised["data"] == {"alert_id": alert["id"], "reason": alert["reason"],
                              "severity": "high", "profile_id": intruder,
                              "triggering_event_id": trigger.id}


def test_a_repeat_of_an_open_finding_raises_no_second_alert(audit, feed, practice):
    intruder = new_id()
    feed(user_created(practice, intruder, f"sam@{VENDOR_DOMAIN}", kind="vendor"))
    feed(signed_in(practice, intruder, f"sam@{VENDOR_DOMAIN}", kind="vendor"))
    assert len(stored_alerts(audit)) == 1
    assert len(raised_events(audit)) == 1


def test_vendor_profile_with_an_active_grant_is_recognized(audit, feed, practice):
    member = new_id()
    now = datetime.now(UTC)
    feed(grant_granted(practice, member, f"ria@{VENDOR_DOMAIN}",
                       starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=4)))
    feed(user_created(practice, member, f"ria@{VENDOR_DOMAIN}", kind="vendor"))
    assert stored_alerts(audit) == []


def test_the_automation_profile_announced_with_the_practice_is_recognized(audit, feed):
    org, owner = new_id(), new_id()
    feed(practice_created(org, owner, automation_profile={
        "id": new_id(), "email": f"automation+{org}@{VENDOR_DOMAIN}",
        "full_name": "Clinic Platform Automation", "kind": "automation"}))
    feed(user_created(org, owner, "owner@sunrise.example", role="owner"))
    assert stored_alerts(audit) == []


def test_a_profile_outside_the_practice_domains_raises_an_alert(audit, feed, practice):
    feed(user_created(practice, new_id(), "ann@sunrise.example"))
    assert stored_alerts(audit) == []
    feed(user_created(practice, new_id(), "eve@elsewhere.example"))
    [alert] = stored_alerts(audit)
    assert alert["reason"] == "unrecognized_domain"


def test_the_practice_listed_domains_win_over_the_owner_domain(audit, feed):
    org, owner = new_id(), new_id()
    feed(practice_created(org, owner, recognized_domains=["sunrise.example", "sunrise.health"]))
    feed(user_created(org, owner, "owner@sunrise.example", role="owner"),
         user_created(org, new_id(), "bo@sunrise.health"))
    assert stored_alerts(audit) == []


def test_a_profile_that_arrives_before_its_practice_is_judged_when_the_practice_arrives(
    audit, feed
):
    org, owner, stranger = new_id(), new_id(), new_id()
    feed(user_created(org, stranger, "eve@elsewhere.example"))
    assert stored_alerts(audit) == []  # nothing to judge against yet
    feed(practice_created(org, owner), user_created(org, owner, "owner@sunrise.example",
                                                    role="owner"))
    assert [a["profile_id"] for a in stored_alerts(audit)] == [stranger]


def test_a_sign_in_to_a_deactivated_account_raises_a_critical_alert(audit, feed, practice):
    user = new_id()
    feed(user_created(practice, user, "ann@sunrise.example"))
    feed(deactivated(practice, user))
    feed(signed_in(practice, user, "ann@sunrise.example"))
    [alert] = stored_alerts(audit)
    assert (alert["reason"], alert["severity"]) == ("sign_in_to_deactivated_account", "critical")


def test_five_failed_sign_ins_for_one_account_raise_one_burst_alert(audit, feed, practice):
    def failure():
        return sign_in_failed(practice, "ann@sunrise.example")

    feed(*(failure() for _ in range(4)))
    assert stored_alerts(audit) == []
    feed(failure(), failure())
    [alert] = stored_alerts(audit)
    assert alert["reason"] == "failed_sign_in_burst_account"
