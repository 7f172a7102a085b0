"""The event backbone end to end: outbox, relay, bus, consumer, inbox, dead letters."""

import pytest
from kombu import Producer

from harness import (
    effect_ids,
    publish_events,
    record_effect,
    start_consumer,
    unsent,
)
from servicekit.messaging.bus import events_exchange
from servicekit.messaging.deadletters import list_dead_letters, replay_dead_letters
from servicekit.messaging.envelope import Subject, new_event
from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.integration


def test_committed_events_reach_the_consumer_exactly_once(backend, queue_name):
    runtime = backend()
    running = start_consumer(runtime, queue_name)
    try:
        wait_for(lambda: running.consumer.ready.is_set(), timeout=10)
        ids = publish_events(runtime, 25)
        assert runtime.relay().relay_pending() == 25
        wait_for(lambda: len(effect_ids(runtime)) >= 25)
        assert sorted(effect_ids(runtime)) == sorted(ids)
        assert unsent(runtime) == 0
    finally:
        running.stop()


def test_prepare_sees_each_batch_before_its_handler_in_the_same_transaction(
    backend, queue_name
):
    runtime = backend()
    seen: list[tuple[str, list[str], int]] = []

    def prepare(uow, events):
        seen.append(("prepare", [e.id for e in events], id(uow)))

    def handler(uow, event):
        seen.append(("handle", [event.id], id(uow)))
        record_effect(uow, event)

    running = start_consumer(runtime, queue_name, handler=handler, prepare=prepare)
    try:
        wait_for(lambda: running.consumer.ready.is_set(), timeout=10)
        ids = publish_events(runtime, 30)
        runtime.relay().relay_pending()
        wait_for(lambda: len(effect_ids(runtime)) >= 30)
    finally:
        running.stop()
    prepared = [event_id for kind, ids_, _ in seen if kind == "prepare" for event_id in ids_]
    assert sorted(prepared) == sorted(ids)  # every event was announced once
    # Each handled event was announced earlier, by a prepare of the same unit of work.
    announced: dict[str, int] = {}
    for kind, event_ids, uow_id in seen:
        if kind == "prepare":
            announced.update(dict.fromkeys(event_ids, uow_id))
        else:
            assert announced[event_ids[0]] == uow_id


def test_a_rolled_back_unit_of_work_publishes_nothing(backend):
    runtime = backend()
    with runtime.uow() as uow:
        uow.publish(new_event("kit.thing.created", subject=Subject("thing", "1"), org_id="o"))
        # no commit: leaving the block rolls back
    assert unsent(runtime) == 0


def test_relay_crash_after_publish_is_absorbed_by_the_inbox(backend, queue_name, monkeypatch):
    runtime = backend()
    running = start_consumer(runtime, queue_name)
    try:
        wait_for(lambda: running.consumer.ready.is_set(), timeout=10)
        ids = publish_events(runtime, 5)
        relay = runtime.relay()

        # The first relay publishes, then dies before it can mark the rows sent.
        from sqlalchemy.engine import Connection as DbConnection

        real_execute = DbConnection.execute

        def die_on_mark_sent(self, statement, *args, **kwargs):
            if getattr(statement, "is_update", False):
                raise RuntimeError("relay killed between publish and mark-sent")
            return real_execute(self, statement, *args, **kwargs)

        monkeypatch.setattr(DbConnection, "execute", die_on_mark_sent)
        with relay.connection() as conn, pytest.raises(RuntimeError):
            relay.relay_batch(relay.producer(conn))
        monkeypatch.undo()
        assert unsent(runtime) == 5  # nothing was marked: all will be published again

        assert relay.relay_pending() == 5
        # Ten deliveries, five effects: every duplicate met the inbox.
        wait_for(lambda: running.consumer.handled >= 10, timeout=15)
        assert sorted(effect_ids(runtime)) == sorted(ids)
    finally:
        running.stop()


def test_failing_handler_sends_the_event_to_dead_letters_after_retries(backend, queue_name):
    runtime = backend(consumer_max_attempts=3)
    attempts = []

    def always_fails(uow, event):
        attempts.append(event.id)
        raise RuntimeError("handler bug")

    running = start_consumer(runtime, queue_name, handler=always_fails)
    try:
        wait_for(lambda: running.consumer.ready.is_set(), timeout=10)
        [event_id] = publish_events(runtime, 1)
        runtime.relay().relay_pending()
        wait_for(lambda: running.consumer.dead_lettered == 1, timeout=15)
    finally:
        running.stop()
    assert attempts == [event_id] * 3
    assert effect_ids(runtime) == []

    with runtime.connection() as conn:
        [letter] = list_dead_letters(conn, queue_name)
    assert (letter.reason, letter.attempts) == ("handler_failed", 3)
    assert "handler bug" in letter.error and event_id.encode() in letter.body

    # Listing left it in place; once the handler is fixed, a replay delivers it.
    with runtime.connection() as conn:
        assert replay_dead_letters(conn, queue_name) == 1
    running = start_consumer(runtime, queue_name, handler=record_effect)
    try:
        wait_for(lambda: effect_ids(runtime) == [event_id], timeout=15)
    finally:
        running.stop()
    with runtime.connection() as conn:
        assert list_dead_letters(conn, queue_name) == []


def test_undecodable_body_goes_to_dead_letters_not_acked_silently(backend, queue_name):
    runtime = backend()
    running = start_consumer(runtime, queue_name)
    try:
        wait_for(lambda: running.consumer.ready.is_set(), timeout=10)
        with runtime.connection() as conn:
            producer = Producer(conn.channel())
            events_exchange()(producer.channel).declare()
            producer.publish("{not json", exchange=events_exchange(),
                             routing_key="kit.thing.created", content_type="application/json")
            producer.publish({"id": "x"}, exchange=events_exchange(),
                             routing_key="kit.thing.created", serializer="json")
        wait_for(lambda: running.consumer.dead_lettered == 2, timeout=15)
    finally:
        running.stop()
    with runtime.connection() as conn:
        letters = list_dead_letters(conn, queue_name)
    assert [letter.reason for letter in letters] == ["undecodable", "undecodable"]
    assert effect_ids(runtime) == []
