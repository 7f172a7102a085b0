"""Backbone behaviour that only the real broker and database can show."""

import threading

import pytest
from kombu import Queue

from harness import (
    RunningRelay,
    effect_ids,
    make_config,
    make_runtime,
    publish_events,
    start_consumer,
    unsent,
)
from servicekit.messaging.bus import consumer_queue, events_exchange
from servicekit_testing.fixtures import rabbitmqctl, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def real(tmp_path, make_database, amqp_url):
    db_url = make_database()
    made = []

    def build(**overrides):
        runtime = make_runtime(make_config(tmp_path, db_url, amqp_url, **overrides))
        made.append(runtime)
        return runtime

    yield build
    for runtime in made:
        runtime.close()


def test_closed_broker_connections_mid_stream_lose_and_double_nothing(real, queue_name):
    runtime = real(bus_heartbeat_seconds=2)
    consumer = start_consumer(runtime, queue_name)
    relay = RunningRelay(runtime)
    try:
        wait_for(consumer.consumer.ready.is_set, timeout=10)
        ids = []
        for round_ in range(6):
            ids += publish_events(runtime, 50)
            if round_ in (1, 3):
                rabbitmqctl("close_all_connections", "fault test")
        wait_for(lambda: len(effect_ids(runtime)) >= len(ids), timeout=60)
        wait_for(lambda: unsent(runtime) == 0, timeout=30)
    finally:
        relay.stop()
        consumer.stop()
    stored = effect_ids(runtime)
    assert len(stored) == len(set(stored)) == 300
    assert set(stored) == set(ids)


def test_relay_keeps_events_while_the_broker_is_unreachable(tmp_path, make_database):
    db_url = make_database()
    runtime = make_runtime(make_config(tmp_path, db_url, "amqp://guest:guest@127.0.0.1:1//"))
    relay = runtime.relay()
    relay.max_backoff_seconds = 0.2
    publish_events(runtime, 3)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        thread.join(timeout=2)
        assert thread.is_alive(), "the relay must keep retrying, not crash"
        assert unsent(runtime) == 3
    finally:
        stop.set()
        thread.join(timeout=10)
        runtime.close()


def test_two_relays_share_the_outbox_without_publishing_twice(real, queue_name):
    runtime = real(relay_batch_size=50)
    with runtime.connection() as conn:
        channel = conn.channel()
        counter = consumer_queue(queue_name, ("kit.#",), quorum=False)(channel)
        counter.declare()
    publish_events(runtime, 1000)
    relays = [RunningRelay(runtime), RunningRelay(real(relay_batch_size=50))]
    try:
        wait_for(lambda: unsent(runtime) == 0, timeout=60)
    finally:
        for relay in relays:
            relay.stop()
    with runtime.connection() as conn:
        _, depth, _ = Queue(queue_name, channel=conn.channel()).queue_declare(passive=True)
    assert depth == 1000  # each event published exactly once across both relays


def test_quorum_queues_are_declared_when_configured(real, queue_name, amqp_url):
    runtime = real(bus_quorum_queues=True)
    consumer = start_consumer(runtime, queue_name)
    try:
        wait_for(consumer.consumer.ready.is_set, timeout=10)
    finally:
        consumer.stop()
    vhost = amqp_url.rsplit("/", 1)[1]
    listing = rabbitmqctl("-q", "list_queues", "-p", vhost, "name", "type", "--no-table-headers")
    types = dict(line.split() for line in listing.splitlines() if len(line.split()) == 2)
    assert types[queue_name] == "quorum"
    assert types[f"{queue_name}.dead"] == "quorum"
    assert events_exchange().name == "clinic.events"
