"""Two identity relays and two audit consumers, each its own process: the work is shared and
every event is stored once.

The real commands (`identity relay`, `audit consume`) against this machine's RabbitMQ and
PostgreSQL, as `make run ARGS="--replicas identity-relay=2 --replicas audit-consumer=2"` or
`docker compose up --scale audit-consumer=2` run them. Who did what is read from each process's
own /metrics (METRICS_PORT).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from audit.adapters.tables import audit_events
from audit.spec import SPEC as AUDIT
from identity.spec import SPEC as IDENTITY
from servicekit.messaging.deadletters import list_dead_letters
from servicekit.messaging.envelope import Actor, Subject, new_event
from servicekit.migrations import upgrade
from servicekit_testing.fixtures import wait_for
from servicekit_testing.servers import free_port

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
EVENTS = 4000
CHUNKS = 20


def metric_total(port: int, name: str) -> float | None:
    """The sum of a counter's samples on a worker's /metrics; None while it does not answer."""
    try:
        text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
    except requests.RequestException:
        return None
    return sum(sample.value for family in text_string_to_metric_families(text)
               for sample in family.samples if sample.name == name)


def stored(runtime) -> tuple[int, int]:
    with runtime.engine.connect() as conn:
        return conn.execute(select(
            func.count(), func.count(func.distinct(audit_events.c.event_id)))).one()


def test_two_relays_and_two_consumers_share_the_work_and_store_every_event_once(
    tmp_path, make_database, private_amqp_url, monkeypatch
):
    env = {"IDENTITY_DATABASE_URL": make_database(), "AUDIT_DATABASE_URL": make_database(),
           "BUS_URL": private_amqp_url, "LOCAL_DIR": str(tmp_path), "RELAY_BATCH_SIZE": "50",
           "CONSUMER_PREFETCH": "50", "CONSUMER_BATCH_SIZE": "25"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    identity, audit = IDENTITY.runtime(), AUDIT.runtime()
    upgrade(IDENTITY.migrations_dir, identity.config.database_url)
    upgrade(AUDIT.migrations_dir, audit.config.database_url)

    workers: dict[str, tuple[subprocess.Popen, int]] = {}
    commands = {"consumer-1": "audit consume", "consumer-2": "audit consume",
                "relay-1": "identity relay", "relay-2": "identity relay"}
    try:
        for name, command in commands.items():
            port = free_port()
            program, *args = command.split()
            with (tmp_path / f"{name}.log").open("wb") as log:
                proc = subprocess.Popen(
                    [str(BIN / program), *args], cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                    env={**os.environ, **env, "METRICS_PORT": str(port)})
            workers[name] = (proc, port)
        # Every worker is up (its /metrics answers) and both consumers hold the queue.
        for name, (proc, port) in workers.items():
            wait_for(lambda p=port, pr=proc: pr.poll() is not None
                     or metric_total(p, "process_cpu_seconds_total") is not None, timeout=60)
            assert proc.poll() is None, (tmp_path / f"{name}.log").read_text()[-3000:]
        with audit.connection() as conn:
            wait_for(lambda: conn.channel().queue_declare(
                queue="audit.all", passive=True).consumer_count == 2, timeout=30)

        # Commits arrive over time, as from a busy API: both relays find work.
        for chunk in range(CHUNKS):
            with identity.uow() as uow:
                for n in range(EVENTS // CHUNKS):
                    uow.publish(new_event(
                        "identity.practice.created",
                        subject=Subject("practice", str(uuid.uuid4())),
                        org_id=str(uuid.uuid4()), actor=Actor(id="scale-test", kind="system"),
                        data=practice_data(chunk * 1000 + n)))
                uow.commit()
        wait_for(lambda: stored(audit)[0] >= EVENTS, timeout=120, interval=0.2)


        def totals(role: str, metric: str) -> dict[str, float]:
            return {n: metric_total(p, metric) or 0 for n, (_, p) in workers.items()
                    if n.startswith(role)}

        # Counters move just after the commits and acks that the rows above already show.
        wait_for(lambda: sum(totals("relay", "outbox_events_published_total").values())
                 >= EVENTS, timeout=10)
        wait_for(lambda: sum(totals("consumer", "consumer_events_handled_total").values())
                 >= EVENTS, timeout=10)
        published = totals("relay", "outbox_events_published_total")
        handled = totals("consumer", "consumer_events_handled_total")
    finally:
        for proc, _ in workers.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc, _ in workers.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    print(f"published per relay: {published}; handled per consumer: {handled}")
    assert stored(audit) == (EVENTS, EVENTS), "an event is missing or stored twice"
    assert sum(published.values()) == EVENTS  # SKIP LOCKED: no row published by both
    assert all(count > 0 for count in published.values()), published
    assert sum(handled.values()) >= EVENTS
    assert all(count > 0 for count in handled.values()), handled
    assert identity.relay().unsent_count() == 0
    with audit.connection() as conn:
        assert list_dead_letters(conn, "audit.all") == []
    assert all(proc.returncode == 0 for proc, _ in workers.values()), "a worker did not stop"
    identity.close()
    audit.close()


def practice_data(n: int) -> dict:
    """identity.practice.created's data as identity defines it (consumers check it)."""
    return {"name": f"Practice {n}", "model": "therapy", "owner_id": str(uuid.uuid4()),
            "licensed_seats": 5, "recognized_domains": ["sunrise.example"], "clinics": [],
            "automation_profile": {"id": str(uuid.uuid4()), "email": f"robot{n}@sunrise.example",
                                   "full_name": "Automation", "kind": "automation",
                                   "user_type": "AUTOMATION"}}
