"""An event relayed while no queue is bound for it is kept in clinic.unrouted, counted, and
delivered by a replay once its queue exists (RabbitMQ: the alternate exchange of clinic.events)."""

from __future__ import annotations

import uuid

import pytest
from prometheus_client import REGISTRY

from harness import (
    RunningConsumer,
    effect_ids,
    make_config,
    make_runtime,
    publish_events,
    record_effect,
)
from servicekit.messaging.bus import declare_events_exchange
from servicekit.messaging.consumer import Subscription
from servicekit.messaging.envelope import Subject, new_event
from servicekit.messaging.unrouted import (
    list_unrouted,
    observe_unrouted,
    replay_unrouted,
    unrouted_count,
)
from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def runtime(tmp_path, make_database, private_amqp_url):
    # A vhost of its own: clinic.unrouted is one fixed queue per vhost.
    built = make_runtime(make_config(tmp_path, make_database(), private_amqp_url))
    yield built
    built.close()


def publish_other_event(runtime) -> str:
    with runtime.uow() as uow:
        event = new_event("kit.other.happened", subject=Subject("thing", "1"),
                          org_id=str(uuid.uuid4()))
        uow.publish(event)
        uow.commit()
    return event.id


def test_an_event_no_queue_is_bound_for_waits_in_clinic_unrouted_and_is_counted(runtime):
    ids = publish_events(runtime, 2)
    assert runtime.relay().relay_pending() == 2  # confirmed by the broker, not dropped
    with runtime.connection() as conn:
        waiting = list_unrouted(conn)
        assert unrouted_count(conn) == 2  # listing leaves them in place
        observe_unrouted(conn, "kit")
    assert {e.routing_key for e in waiting} == {"kit.thing.created"}
    assert {e.message_id for e in waiting} == set(ids)
    assert REGISTRY.get_sample_value("bus_unrouted_messages", {"service": "kit"}) == 2


def test_replay_delivers_once_the_queue_is_bound_and_keeps_what_is_still_unroutable(runtime):
    ids = publish_events(runtime, 3)
    other = publish_other_event(runtime)
    runtime.relay().relay_pending()
    # Deployed later: a consumer of kit.thing.* only; kit.other.happened stays unroutable.
    subscription = Subscription(queue=f"kit.test-{uuid.uuid4().hex[:8]}",
                                bindings=("kit.thing.#",), handler=record_effect)
    running = RunningConsumer(runtime.consumer(subscription))
    try:
        wait_for(lambda: running.consumer.ready.is_set(), timeout=10)
        assert effect_ids(runtime) == []  # nothing reached it on its own
        with runtime.connection() as conn:
            assert replay_unrouted(conn) == 4
            wait_for(lambda: len(effect_ids(runtime)) == 3, timeout=15)
            assert sorted(effect_ids(runtime)) == sorted(ids)
            [left] = list_unrouted(conn)
        assert (left.routing_key, left.message_id) == ("kit.other.happened", other)
    finally:
        running.stop()


def test_declaring_the_exchange_twice_is_idempotent(runtime):
    with runtime.connection() as conn:
        channel = conn.channel()
        declare_events_exchange(channel, quorum=False)
        declare_events_exchange(channel, quorum=False)
        channel.close()
        assert unrouted_count(conn) == 0


def test_services_with_and_without_quorum_queues_share_one_unrouted_queue(runtime):
    with runtime.connection() as conn:
        channel = conn.channel()
        declare_events_exchange(channel, quorum=False)
        declare_events_exchange(channel, quorum=True)  # not refused: the queue already exists
        channel.close()
