"""Recognition leaves the same alerts open whatever order a story's events arrive in.

The stories (recognition_stories.py) are delivered together, interleaved, to the consumer's
own handling (inbox, chain locks, record and recognize), in random orders, random batches and
with redeliveries. At the end the open alerts are exactly the story's: none for a legitimate
story, one for each unrecognized profile.
"""

import pytest
from audit_harness import ConsumerFeeder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from recognition_stories import STORIES, vendor_granted_and_signing_in
from sqlalchemy import select

from audit.adapters.tables import alert_status_changes, alerts
from audit.service_layer.alerts import RESOLVED

pytestmark = pytest.mark.integration


def open_alerts(audit, org_ids):
    with audit.engine.connect() as conn:
        rows = conn.execute(select(alerts.c.org_id, alerts.c.profile_id, alerts.c.reason).where(
            alerts.c.org_id.in_(org_ids), alerts.c.status != RESOLVED)).all()
    return sorted((r.org_id, r.profile_id, r.reason) for r in rows)


def raised_alerts(audit, org_ids):
    with audit.engine.connect() as conn:
        return conn.execute(select(alerts).where(alerts.c.org_id.in_(org_ids))).mappings().all()


@st.composite
def deliveries(draw, events):
    """The events in some order, some delivered twice (a redelivery), cut into batches."""
    order = draw(st.permutations(events))
    again = draw(st.lists(st.sampled_from(events), max_size=len(events) // 2))
    for event in again:
        order.insert(draw(st.integers(0, len(order))), event)
    cuts = sorted(draw(st.sets(st.integers(1, len(order) - 1), max_size=len(order) // 2)))
    return [order[a:b] for a, b in zip([0, *cuts], [*cuts, len(order)], strict=True)]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_every_order_of_the_stories_leaves_exactly_their_unrecognized_profiles_open(
        audit, settings, data):
    stories = [make() for make in STORIES]
    events = [event for story in stories for event in story.events]
    feeder = ConsumerFeeder(audit, settings)
    for batch in data.draw(deliveries(events)):
        feeder.deliver(batch)
    expected = sorted((story.org, profile, reason)
                      for story in stories for profile, reason in story.expected)
    assert open_alerts(audit, [s.org for s in stories]) == expected


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_a_granted_vendor_signing_in_never_raises_an_alert_in_any_order(audit, settings, data):
    """The grant overtaken by the sign-in that names it: the verdict waits, nothing is raised
    even for a moment."""
    story = vendor_granted_and_signing_in()
    feeder = ConsumerFeeder(audit, settings)
    for batch in data.draw(deliveries(story.events)):
        feeder.deliver(batch)
    assert raised_alerts(audit, [story.org]) == []


def test_an_alert_a_later_fact_disproves_is_resolved_by_the_system_with_its_history(
        audit, settings):
    from recognition_stories import domain_added_and_user_created_on_it

    story = domain_added_and_user_created_on_it()
    practice, owner, domains_changed, user = story.events
    feeder = ConsumerFeeder(audit, settings)
    for event in (practice, owner, user):
        feeder.deliver([event])
    [alert] = raised_alerts(audit, [story.org])
    assert (alert["reason"], alert["status"]) == ("unrecognized_domain", "open")
    feeder.deliver([domains_changed])
    [alert] = raised_alerts(audit, [story.org])
    assert (alert["status"], alert["status_by"], alert["status_note"]) == (
        "resolved", "system", "a later fact recognized this profile")
    with audit.engine.connect() as conn:
        history = conn.execute(select(alert_status_changes).where(
            alert_status_changes.c.alert_id == alert["id"]).order_by(
                alert_status_changes.c.id)).mappings().all()
    assert [(h["status"], h["changed_by"], h["event_id"]) for h in history] == [
        ("open", "system", user.id), ("resolved", "system", domains_changed.id)]


def test_failed_sign_ins_arriving_newest_first_still_make_a_burst(audit, settings):
    from audit_harness import new_id
    from recognition_stories import Story

    story = Story("guessing").a_practice()
    for second in range(5):
        story.happens(10 + second, "identity.session.sign_in_failed", ("sign_in", new_id()),
                      email="owner@sunrise.example")
    feeder = ConsumerFeeder(audit, settings)
    for event in reversed(story.events):
        feeder.deliver([event])
    assert [(a["reason"], a["status"]) for a in raised_alerts(audit, [story.org])] == [
        ("failed_sign_in_burst_account", "open")]
