"""The audit.all consumer as deployed, and records kept from before the chain existed."""

import threading
from datetime import UTC, datetime

import pytest
from audit_harness import new_id, practice_as_sent, practice_created, user_created
from kombu import Producer
from sqlalchemy import func, select

from audit.adapters.tables import alerts, audit_events
from audit.bootstrap import checkpoint_verifier
from audit.service_layer.chain import verify_stored_chain
from audit.spec import SPEC
from servicekit.messaging.bus import events_exchange
from servicekit.messaging.envelope import encode_event
from servicekit.migrations import upgrade
from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def deployed(tmp_path, monkeypatch, make_database, private_amqp_url):
    # RabbitMQ only: tests/integration/test_practice_reaches_audit.py covers the filesystem bus.
    env = {"LOCAL_DIR": str(tmp_path), "AUDIT_DATABASE_URL": make_database(),
           "BUS_URL": private_amqp_url}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    runtime = SPEC.runtime()
    upgrade(SPEC.migrations_dir, runtime.config.database_url)
    yield runtime
    runtime.close()


def count(runtime, table):
    with runtime.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_the_consumer_chains_events_and_raises_alerts_from_its_environment(deployed):
    consumer = deployed.consumer(SPEC.subscriptions[0])
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    org, owner = new_id(), new_id()
    events = [practice_as_sent(org, owner, "sunrise.example"),
              user_created(org, owner, "owner@sunrise.example", role="owner"),
              user_created(org, new_id(), "sam@clinicplatform.example", kind="vendor")]
    try:
        wait_for(consumer.ready.is_set, timeout=10)
        with deployed.connection() as conn:
            producer = Producer(conn.channel())
            for event in events:
                producer.publish(encode_event(event), exchange=events_exchange(),
                                 routing_key=event.type, content_type="application/json",
                                 declare=[events_exchange()])
        wait_for(lambda: count(deployed, audit_events) == 3, timeout=20)
    finally:
        consumer.should_stop = True
        thread.join(timeout=15)
    assert count(deployed, alerts) == 1
    with deployed.uow() as uow:
        assert verify_stored_chain(uow.session, checkpoint_verifier(deployed.config)).intact


def test_records_from_before_the_chain_are_chained_by_the_migration(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(SPEC.migrations_dir, url, revision="0001")
    runtime = SPEC.runtime(SPEC.load_config(database_url=url, local_dir=tmp_path))
    old = [practice_created(new_id(), new_id()) for _ in range(5)]
    with runtime.engine.begin() as conn:
        for event in old:
            conn.exec_driver_sql(
                "INSERT INTO audit_events (event_id, type, producer, org_id, occurred_at, "
                "received_at, envelope) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (event.id, event.type, event.producer, event.org_id,
                 event.occurred_at.isoformat(), datetime.now(UTC).isoformat(),
                 encode_event(event)))
    upgrade(SPEC.migrations_dir, url)
    with runtime.uow() as uow:
        report = verify_stored_chain(uow.session, checkpoint_verifier(runtime.config))
    runtime.close()
    assert report.intact and report.records_checked == 5
