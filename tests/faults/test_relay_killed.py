"""kill -9 of a relay process mid-stream: nothing lost, nothing counted twice in audit."""

import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from audit.adapters.tables import audit_events
from audit.spec import SPEC as AUDIT
from identity.spec import SPEC as IDENTITY
from servicekit.messaging.deadletters import list_dead_letters
from servicekit.messaging.envelope import Actor, Subject, new_event
from servicekit.migrations import upgrade
from servicekit_testing.fixtures import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.faults]

EVENTS = 3000


def stored(runtime) -> int:
    with runtime.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(audit_events)).scalar_one()


def distinct_stored(runtime) -> int:
    with runtime.engine.connect() as conn:
        return conn.execute(select(func.count(func.distinct(audit_events.c.event_id)))).scalar_one()


def test_a_relay_killed_mid_stream_loses_and_doubles_nothing(
    tmp_path, make_database, private_amqp_url, monkeypatch
):
    env = {"IDENTITY_DATABASE_URL": make_database(), "AUDIT_DATABASE_URL": make_database(),
           "BUS_URL": private_amqp_url, "LOCAL_DIR": str(tmp_path), "RELAY_BATCH_SIZE": "100"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    identity, audit = IDENTITY.runtime(), AUDIT.runtime()
    upgrade(IDENTITY.migrations_dir, identity.config.database_url)
    upgrade(AUDIT.migrations_dir, audit.config.database_url)

    consumer = audit.consumer(AUDIT.subscriptions[0])
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    relay_cmd = [str(Path(sys.executable).parent / "identity"), "relay"]
    try:
        wait_for(consumer.ready.is_set, timeout=10)
        with identity.uow() as uow:
            for n in range(EVENTS):
                uow.publish(new_event(
                    "identity.practice.created", subject=Subject("practice", str(uuid.uuid4())),
                    org_id=str(uuid.uuid4()), actor=Actor(id="fault-test", kind="system"),
                    data=practice_data(n)))
            uow.commit()

        first = subprocess.Popen(relay_cmd, env={**os.environ, **env},
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: stored(audit) > 0, timeout=30, interval=0.005)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        at_kill = stored(audit)

        second = subprocess.Popen(relay_cmd, env={**os.environ, **env},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: identity.relay().unsent_count() == 0, timeout=60)
            wait_for(lambda: stored(audit) >= EVENTS, timeout=60)
        finally:
            second.terminate()
            second.wait(timeout=30)
    finally:
        consumer.should_stop = True
        thread.join(timeout=15)
    print(f"stored when the first relay was killed: {at_kill} of {EVENTS}")
    assert stored(audit) == distinct_stored(audit) == EVENTS
    with audit.connection() as conn:
        assert list_dead_letters(conn, "audit.all") == []
    assert second.returncode == 0, "the relay stops cleanly on SIGTERM"


def practice_data(n: int) -> dict:
    """identity.practice.created's data as identity defines it (consumers check it)."""
    return {"name": f"Practice {n}", "model": "therapy", "owner_id": str(uuid.uuid4()),
            "licensed_seats": 5, "recognized_domains": ["sunrise.example"], "clinics": [],
            "automation_profile": {"id": str(uuid.uuid4()), "email": f"robot{n}@sunrise.example",
                                   "full_name": "Automation", "kind": "automation",
                                   "user_type": "AUTOMATION"}}
