"""The docportal.identity consumer keeps the practice names the share email is signed with."""

import threading
import uuid

import pytest
from kombu import Producer
from sqlalchemy import select

from docportal.adapters.tables import practices
from docportal.service_layer.practices import QUEUE
from docportal.spec import SPEC
from servicekit.messaging.bus import events_exchange
from servicekit.messaging.envelope import Subject, encode_event, new_event
from servicekit.migrations import upgrade
from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.integration


def practice_created(org_id: str, name: str):
    """identity.practice.created with every field identity's definition requires."""
    return new_event("identity.practice.created", subject=Subject("practice", org_id),
                     org_id=org_id, data={
                         "name": name, "owner_id": str(uuid.uuid4()), "model": "therapy",
                         "licensed_seats": 5, "recognized_domains": ["sunrise.example"],
                         "clinics": [], "automation_profile": {
                             "id": str(uuid.uuid4()), "email": "automation@sunrise.example",
                             "full_name": "Automation", "kind": "automation",
                             "user_type": "AUTOMATION"}})


def practice_name(runtime, org_id: str) -> str | None:
    with runtime.engine.connect() as conn:
        return conn.execute(
            select(practices.c.name).where(practices.c.org_id == org_id)).scalar()


@pytest.fixture
def runtime(tmp_path, make_database, amqp_url):
    config = SPEC.load_config(local_dir=tmp_path, database_url=make_database(), bus_url=amqp_url)
    upgrade(SPEC.migrations_dir, config.database_url)
    runtime = SPEC.runtime(config)
    yield runtime
    runtime.close()


def test_a_practice_created_in_identity_gets_its_name_in_docportal(runtime):
    [subscription] = [s for s in SPEC.subscriptions if s.queue == QUEUE]
    consumer = runtime.consumer(subscription)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    org_id = str(uuid.uuid4())
    event = practice_created(org_id, "Sunrise PT")
    try:
        wait_for(consumer.ready.is_set, timeout=10)
        with runtime.connection() as conn:
            producer = Producer(conn.channel())
            for _ in range(2):  # a redelivery must change nothing
                producer.publish(encode_event(event), exchange=events_exchange(),
                                 routing_key=event.type, content_type="application/json",
                                 declare=[events_exchange()])
        wait_for(lambda: practice_name(runtime, org_id) == "Sunrise PT", timeout=20)
        wait_for(lambda: consumer.handled == 2, timeout=10)
    finally:
        consumer.should_stop = True
        thread.join(timeout=15)
    assert consumer.dead_lettered == 0
