"""audit.alert.raised reaches the bus within one second of the event that called for it.

The real path: RabbitMQ, the audit.all consumer, the outbox relay, and a security team's own
queue bound to audit.alert.raised (as README's bindings describe).
"""

import json
import threading
import time
import uuid

import pytest
from audit_harness import deactivated, new_id, practice_as_sent, signed_in, user_created
from kombu import Producer, Queue
from sqlalchemy import func, select

from audit.adapters.tables import audit_events
from audit.spec import SPEC
from servicekit.messaging.bus import events_exchange
from servicekit.messaging.envelope import Event, encode_event
from servicekit.migrations import upgrade
from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.integration
LIMIT_SECONDS = 1.0


@pytest.fixture
def running_audit(tmp_path, monkeypatch, make_database, private_amqp_url):
    """The audit consumer and relay as deployed, on their own database and vhost."""
    env = {"LOCAL_DIR": str(tmp_path), "AUDIT_DATABASE_URL": make_database(),
           "BUS_URL": private_amqp_url}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    runtime = SPEC.runtime()
    upgrade(SPEC.migrations_dir, runtime.config.database_url)
    consumer = runtime.consumer(SPEC.subscriptions[0])
    stop = threading.Event()
    threads = [threading.Thread(target=consumer.run, daemon=True),
               threading.Thread(target=runtime.relay().run, args=(stop,), daemon=True)]
    for thread in threads:
        thread.start()
    try:
        wait_for(consumer.ready.is_set, timeout=10)
        yield runtime
    finally:
        consumer.should_stop = True
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        runtime.close()


@pytest.fixture
def alert_queue(running_audit):
    """A security team's queue bound to audit.alert.raised."""
    with running_audit.connection() as conn:
        queue = Queue(f"security-{uuid.uuid4().hex[:8]}", exchange=events_exchange(),
                      routing_key="audit.alert.raised", auto_delete=True)
        simple = conn.SimpleQueue(queue)
        try:
            yield simple
        finally:
            simple.close()


def publish(runtime, *events: Event) -> None:
    with runtime.connection() as conn:
        producer = Producer(conn.channel())
        for event in events:
            producer.publish(encode_event(event), exchange=events_exchange(),
                             routing_key=event.type, content_type="application/json",
                             declare=[events_exchange()])


def recorded(runtime) -> int:
    with runtime.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(audit_events)).scalar_one()


def seconds_until_alert(runtime, alert_queue, trigger: Event) -> float:
    started = time.monotonic()
    publish(runtime, trigger)
    message = alert_queue.get(block=True, timeout=10)
    elapsed = time.monotonic() - started
    message.ack()
    print(f"audit.alert.raised after {elapsed * 1000:.0f} ms")
    alert = json.loads(message.body) if isinstance(message.body, str | bytes) else message.body
    assert alert["data"]["triggering_event_id"] == trigger.id
    return elapsed


@pytest.fixture
def practice(running_audit, alert_queue):
    org, owner, ann = new_id(), new_id(), new_id()
    publish(running_audit, practice_as_sent(org, owner, "sunrise.example"),
            user_created(org, owner, "owner@sunrise.example", role="owner"),
            user_created(org, ann, "ann@sunrise.example"),
            deactivated(org, ann))
    wait_for(lambda: recorded(running_audit) == 4, timeout=20)
    return {"org": org, "deactivated": ann}


def test_a_vendor_profile_without_a_grant_is_alerted_within_a_second(
    running_audit, alert_queue, practice
):
    intruder = user_created(practice["org"], new_id(), "sam@clinicplatform.example",
                            kind="vendor", full_name="Sam Support")
    elapsed = seconds_until_alert(running_audit, alert_queue, intruder)
    assert elapsed < LIMIT_SECONDS, f"audit.alert.raised took {elapsed:.3f}s"


def test_a_sign_in_to_a_deactivated_account_is_alerted_within_a_second(
    running_audit, alert_queue, practice
):
    user = practice["deactivated"]
    sign_in = signed_in(practice["org"], user, "ann@sunrise.example")
    elapsed = seconds_until_alert(running_audit, alert_queue, sign_in)
    assert elapsed < LIMIT_SECONDS, f"audit.alert.raised took {elapsed:.3f}s"
