"""When identity changes a practice's recognized domains, audit re-judges its profiles:
an alert about a domain now recognized is resolved, a profile on a removed domain raises one."""

import json

import pytest
from audit_harness import new_id, practice_created, user_created
from sqlalchemy import select

from audit.adapters.tables import messaging
from servicekit.messaging.envelope import Actor, Subject, new_event

pytestmark = pytest.mark.integration


def domains_changed(org_id: str, admin_id: str, before: list[str], after: list[str]):
    """identity.practice.recognized_domains_changed, shaped as identity emits it."""
    return new_event("identity.practice.recognized_domains_changed",
                     subject=Subject("practice", org_id), org_id=org_id,
                     actor=Actor(id=admin_id, kind="staff"),
                     data={"recognized_domains": after, "before": {"recognized_domains": before},
                           "after": {"recognized_domains": after}})


def alerts_of(client, bearer, org):
    return client.get("/alerts", headers=bearer(org)).json["alerts"]


def test_adding_the_domain_resolves_the_alert_about_it(audit, app_client, feed):
    client, bearer = app_client
    org, owner, ann = new_id(), new_id(), new_id()
    feed(practice_created(org, owner, recognized_domains=["sunrise.example"]),
         user_created(org, owner, "owner@sunrise.example", role="owner"),
         user_created(org, ann, "ann@sunrise-rehab.example"))
    [raised] = alerts_of(client, bearer, org)
    assert (raised["profile_id"], raised["status"]) == (ann, "open")
    [change] = feed(domains_changed(org, owner, ["sunrise.example"],
                                    ["sunrise-rehab.example", "sunrise.example"]))
    [resolved] = alerts_of(client, bearer, org)
    assert (resolved["status"], resolved["status_by"]) == ("resolved", "system")
    with audit.engine.connect() as conn:
        [payload] = conn.execute(select(messaging.outbox.c.payload).where(
            messaging.outbox.c.event_type == "audit.alert.resolved")).scalars().all()
    assert json.loads(payload)["data"]["triggering_event_id"] == change.id


def test_removing_a_domain_raises_an_alert_for_each_profile_on_it(app_client, feed):
    client, bearer = app_client
    org, owner, ann, bob = new_id(), new_id(), new_id(), new_id()
    feed(practice_created(org, owner, recognized_domains=["sunrise.example", "old.example"]),
         user_created(org, owner, "owner@sunrise.example", role="owner"),
         user_created(org, ann, "ann@old.example"),
         user_created(org, bob, "bob@sunrise.example"))
    assert alerts_of(client, bearer, org) == []
    feed(domains_changed(org, owner, ["old.example", "sunrise.example"], ["sunrise.example"]))
    [raised] = alerts_of(client, bearer, org)
    assert (raised["profile_id"], raised["reason"], raised["status"]) == (
        ann, "unrecognized_domain", "open")
