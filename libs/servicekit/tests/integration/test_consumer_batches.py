"""Batches: outbox rows written together, a batch handler, one ack per committed batch."""

import pytest
from sqlalchemy import select

from harness import (
    RunningConsumer,
    effect_ids,
    messaging,
    publish_events,
    record_effect,
    start_consumer,
)
from servicekit.messaging.consumer import Subscription
from servicekit.messaging.envelope import Subject, new_event
from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.integration


def start_batch_consumer(runtime, queue, calls):
    def handle_batch(uow, events):
        calls.append(len(events))
        for event in events:
            record_effect(uow, event)

    sub = Subscription(queue=queue, bindings=("kit.#",), handler=record_effect,
                       batch_handler=handle_batch)
    return RunningConsumer(runtime.consumer(sub))


def waiting_in(runtime, queue: str) -> int:
    with runtime.connection() as conn:
        _, messages, _ = conn.default_channel.queue_declare(queue=queue, passive=True)
    return messages


def test_a_batch_handler_gets_every_new_event_once_with_fewer_calls_than_events(
    backend, queue_name
):
    runtime = backend()
    calls: list[int] = []
    running = start_batch_consumer(runtime, queue_name, calls)
    try:
        wait_for(lambda: running.consumer.ready.is_set(), timeout=10)
        ids = publish_events(runtime, 120)
        runtime.relay().relay_pending()
        wait_for(lambda: len(effect_ids(runtime)) >= 120)
    finally:
        running.stop()
    assert sorted(effect_ids(runtime)) == sorted(ids)
    assert sum(calls) == 120 and len(calls) < 120


def test_every_delivery_of_a_committed_batch_is_acked_beyond_the_prefetch(backend, queue_name):
    """More events than the prefetch: a batch left unacked would stall the consumer (the
    broker stops delivering) and come back when its channel closes."""
    runtime = backend(consumer_prefetch=60, consumer_batch_size=25)
    calls: list[int] = []
    running = start_batch_consumer(runtime, queue_name, calls)
    try:
        wait_for(lambda: running.consumer.ready.is_set(), timeout=10)
        ids = publish_events(runtime, 300)
        runtime.relay().relay_pending()
        wait_for(lambda: len(effect_ids(runtime)) >= 300, timeout=30)
    finally:
        running.stop()
    assert sorted(effect_ids(runtime)) == sorted(ids)
    # The consumer's channel is closed: whatever it had not acked would be waiting again.
    assert waiting_in(runtime, queue_name) == 0


def test_events_published_together_are_relayed_in_their_order_and_arrive_once_each(
    backend, queue_name
):
    runtime = backend()
    running = start_consumer(runtime, queue_name)
    events = [new_event("kit.thing.created", subject=Subject("thing", str(n)), org_id="o",
                        data={"n": n}) for n in range(40)]
    try:
        wait_for(lambda: running.consumer.ready.is_set(), timeout=10)
        with runtime.uow() as uow:
            uow.publish_all(events)
            uow.commit()
        assert runtime.relay().relay_pending() == 40
        wait_for(lambda: len(effect_ids(runtime)) >= 40)
    finally:
        running.stop()
    assert sorted(effect_ids(runtime)) == sorted(event.id for event in events)
    outbox = messaging.outbox  # the relay publishes in id order
    with runtime.engine.connect() as conn:
        relayed = conn.execute(select(outbox.c.event_id).order_by(outbox.c.id)).scalars().all()
    assert relayed == [event.id for event in events]


def test_events_a_subscription_does_not_want_are_acked_without_an_inbox_row(
    backend, queue_name
):
    runtime = backend()
    ids = publish_events(runtime, 30)
    wanted = set(ids[::3])
    sub = Subscription(queue=queue_name, bindings=("kit.#",), handler=record_effect,
                       wants=lambda event: event.id in wanted)
    running = RunningConsumer(runtime.consumer(sub))
    try:
        wait_for(lambda: running.consumer.ready.is_set(), timeout=10)
        runtime.relay().relay_pending()
        wait_for(lambda: running.consumer.handled >= 30)
    finally:
        running.stop()
    assert sorted(effect_ids(runtime)) == sorted(wanted)
    inbox = messaging.inbox
    with runtime.engine.connect() as conn:
        kept = conn.execute(select(inbox.c.event_id).where(inbox.c.consumer == queue_name))
        assert set(kept.scalars()) == wanted
    assert waiting_in(runtime, queue_name) == 0
