"""The relay's and consumers' metrics move when events are published, handled or given up on."""

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from kombu import Producer
from prometheus_client import REGISTRY
from sqlalchemy import update

from harness import (
    RunningRelay,
    make_config,
    make_runtime,
    messaging,
    publish_events,
    start_consumer,
)
from servicekit.messaging.bus import events_exchange
from servicekit.messaging.envelope import Subject, new_event
from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.integration


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def renamed(runtime, service: str):
    """The runtime as if it belonged to ``service``: metrics of one test stay apart."""
    runtime.config = dataclasses.replace(runtime.config, service=service)
    return runtime


def backdate_unsent(runtime, seconds: float) -> None:
    outbox = messaging.outbox
    with runtime.engine.begin() as conn:
        conn.execute(
            update(outbox).where(outbox.c.sent_at.is_(None))
            .values(created_at=datetime.now(UTC) - timedelta(seconds=seconds))
        )


def test_published_events_are_counted_by_type_once_marked_sent(backend):
    runtime = renamed(backend(), f"kit-{uuid.uuid4().hex[:6]}")
    labels = {"service": runtime.config.service, "type": "kit.thing.created"}
    publish_events(runtime, 3)
    assert sample("outbox_events_published_total", **labels) == 0
    assert runtime.relay().relay_pending() == 3
    assert sample("outbox_events_published_total", **labels) == 3


def test_relay_lag_is_the_age_of_the_oldest_unsent_event_and_zero_when_none(backend):
    runtime = renamed(backend(), f"kit-{uuid.uuid4().hex[:6]}")
    relay = runtime.relay()
    gauge = ("outbox_oldest_unsent_age_seconds", {"service": runtime.config.service})

    assert relay.observe_lag() == 0
    publish_events(runtime, 2)
    backdate_unsent(runtime, 120)
    assert 120 <= relay.observe_lag() < 130
    assert 120 <= REGISTRY.get_sample_value(*gauge) < 130

    running = RunningRelay(runtime)  # its polls measure the lag after each batch
    try:
        wait_for(lambda: REGISTRY.get_sample_value(*gauge) == 0, timeout=10)
    finally:
        running.stop()


def test_relay_lag_keeps_growing_while_the_broker_is_unreachable(tmp_path, make_database):
    config = make_config(tmp_path, make_database(), "amqp://guest:guest@127.0.0.1:1//")
    runtime = make_runtime(dataclasses.replace(config, service=f"kit-{uuid.uuid4().hex[:6]}"))
    try:
        publish_events(runtime, 1)
        backdate_unsent(runtime, 300)
        running = RunningRelay(runtime)
        try:
            wait_for(lambda: sample("outbox_oldest_unsent_age_seconds",
                                    service=runtime.config.service) >= 300, timeout=10)
        finally:
            running.stop()
    finally:
        runtime.close()


def test_handled_events_are_counted_after_ack_with_their_lag(backend, queue_name):
    runtime = backend()
    labels = {"service": "kit", "queue": queue_name}
    running = start_consumer(runtime, queue_name)
    try:
        wait_for(lambda: running.consumer.ready.is_set(), timeout=10)
        assert sample("consumer_events_handled_total", **labels) == 0  # present from the start
        publish_events(runtime, 4)
        with runtime.uow() as uow:  # and one that happened a minute and a half ago
            uow.publish(new_event(
                "kit.thing.created", subject=Subject("thing", "late"), org_id="o",
                occurred_at=datetime.now(UTC) - timedelta(seconds=90)))
            uow.commit()
        runtime.relay().relay_pending()
        wait_for(lambda: sample("consumer_events_handled_total", **labels) == 5, timeout=15)
    finally:
        running.stop()
    assert running.consumer.handled == 5
    assert sample("consumer_event_lag_seconds_count", **labels) == 5
    assert sample("consumer_event_lag_seconds_bucket", le="60.0", **labels) == 4
    assert sample("consumer_event_lag_seconds_bucket", le="120.0", **labels) == 5
    assert sample("consumer_handler_failures_total", **labels) == 0


def test_every_failed_attempt_and_the_dead_letter_are_counted(backend, queue_name):
    runtime = backend(consumer_max_attempts=3)
    labels = {"service": "kit", "queue": queue_name}

    def always_fails(uow, event):
        raise RuntimeError("handler bug")

    running = start_consumer(runtime, queue_name, handler=always_fails)
    try:
        wait_for(lambda: running.consumer.ready.is_set(), timeout=10)
        publish_events(runtime, 1)
        runtime.relay().relay_pending()
        wait_for(lambda: running.consumer.dead_lettered == 1, timeout=15)
    finally:
        running.stop()
    assert sample("consumer_handler_failures_total", **labels) == 3
    assert sample("consumer_dead_letters_total", reason="handler_failed", **labels) == 1
    assert sample("consumer_dead_letters_total", reason="undecodable", **labels) == 0
    assert sample("consumer_events_handled_total", **labels) == 0


def test_undecodable_bodies_are_counted_as_dead_letters_with_their_reason(backend, queue_name):
    runtime = backend()
    labels = {"service": "kit", "queue": queue_name}
    running = start_consumer(runtime, queue_name)
    try:
        wait_for(lambda: running.consumer.ready.is_set(), timeout=10)
        with runtime.connection() as conn:
            producer = Producer(conn.channel())
            events_exchange()(producer.channel).declare()
            producer.publish("{not json", exchange=events_exchange(),
                             routing_key="kit.thing.created", content_type="application/json")
        wait_for(lambda: running.consumer.dead_lettered == 1, timeout=15)
    finally:
        running.stop()
    assert sample("consumer_dead_letters_total", reason="undecodable", **labels) == 1
    assert sample("consumer_handler_failures_total", **labels) == 0
