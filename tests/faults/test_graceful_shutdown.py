"""SIGTERM mid-load, as Kubernetes and compose send it: nothing lost, nothing doubled in effect.

Each test runs the real process (gunicorn with the service's gunicorn.conf.py, `audit consume`,
`identity relay`) against this machine's PostgreSQL and RabbitMQ, stops it with SIGTERM while
it has work in hand, and checks what was committed, acknowledged and published.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from gateway_client import answers  # deploy/local, on the path (conftest)
from sqlalchemy import func, select

from audit.adapters.tables import audit_events
from audit.spec import SPEC as AUDIT
from identity.adapters.tables import users
from identity.service_layer.practices import create_practice
from identity.spec import SPEC as IDENTITY
from servicekit.messaging.bus import declare_consumer_topology
from servicekit.messaging.deadletters import list_dead_letters
from servicekit.messaging.envelope import Actor, Subject, new_event
from servicekit.migrations import upgrade
from servicekit.totp_wallet import sign_in_through
from servicekit_testing.fixtures import wait_for
from servicekit_testing.servers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.faults]

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "graceful correct horse battery"


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=REPO, env={**os.environ, **env}, stdout=out,
                                stderr=subprocess.STDOUT)


def terminate(proc: subprocess.Popen, timeout: float = 60) -> int:
    """SIGTERM, then the exit code; the process must stop on its own within ``timeout``."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"{proc.args} did not stop within {timeout}s of SIGTERM")


def commit_events(runtime, count: int) -> None:
    """``count`` events in identity's outbox, committed together."""
    with runtime.uow() as uow:
        for n in range(count):
            uow.publish(new_event(
                "identity.practice.created", subject=Subject("practice", str(uuid.uuid4())),
                org_id=str(uuid.uuid4()), actor=Actor(id="graceful-test", kind="system"),
                data=practice_data(n)))
        uow.commit()


def stored(runtime) -> tuple[int, int]:
    """(rows, distinct event ids) in audit's record."""
    with runtime.engine.connect() as conn:
        return conn.execute(select(
            func.count(), func.count(func.distinct(audit_events.c.event_id)))).one()


def waiting_in_queue(runtime, queue: str) -> int:
    with runtime.connection() as conn:
        channel = conn.channel()
        try:
            return channel.queue_declare(queue=queue, passive=True).message_count
        finally:
            channel.close()


@pytest.fixture
def two_services(tmp_path, make_database, private_amqp_url, monkeypatch):
    """Identity and audit on PostgreSQL and a private RabbitMQ vhost, migrated; the env the
    real commands need."""
    env = {"IDENTITY_DATABASE_URL": make_database(), "AUDIT_DATABASE_URL": make_database(),
           "BUS_URL": private_amqp_url, "LOCAL_DIR": str(tmp_path), "RELAY_BATCH_SIZE": "100",
           "CONSUMER_BATCH_SIZE": "20", "LOG_LEVEL": "INFO"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    identity, audit = IDENTITY.runtime(), AUDIT.runtime()
    upgrade(IDENTITY.migrations_dir, identity.config.database_url)
    upgrade(AUDIT.migrations_dir, audit.config.database_url)
    yield env, identity, audit
    identity.close()
    audit.close()


# --- (a) gunicorn finishes the requests in flight -------------------------------------------


@dataclass
class Attempt:
    email: str
    started: float
    ended: float
    status: int | None = None
    error: str | None = None


def add_users_until_refused(base: str, token: str, clinic_id: str, attempts: list[Attempt],
                            stop: threading.Event) -> None:
    """Add staff one after another until the server stops answering (or ``stop``)."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    while not stop.is_set():
        email = f"u-{uuid.uuid4().hex[:12]}@graceful.example"
        attempt = Attempt(email, time.monotonic(), 0.0)
        try:
            response = session.post(f"{base}/users", timeout=30, json={
                "email": email, "full_name": "Front Desk", "user_type": "Front Office",
                "default_clinic_id": clinic_id, "clinic_ids": [clinic_id]})
            attempt.status = response.status_code
            response.json()  # a whole body, not a cut-off one
        except requests.RequestException as exc:
            attempt.error = repr(exc)
        attempt.ended = time.monotonic()
        attempts.append(attempt)
        if attempt.error:
            return


def test_gunicorn_finishes_requests_in_flight_and_every_answered_write_is_committed(
    two_services, tmp_path
):
    env, identity, _ = two_services
    create_practice(identity.uow(), name="Graceful PT",
                    owner_email="owner@graceful.example", seats=100_000,
                    owner_password=PASSWORD)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start([str(BIN / "gunicorn"), "-c", "services/identity/gunicorn.conf.py"],
                   {**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
                   tmp_path / "gunicorn.log")
    attempts: list[Attempt] = []
    stop = threading.Event()
    threads: list[threading.Thread] = []
    try:
        wait_for(lambda: server.poll() is not None or answers(f"{base}/healthz"), timeout=60)
        assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()[-3000:]
        login = sign_in_through(requests, {"email": "owner@graceful.example",
                                           "password": PASSWORD}, base, timeout=30)
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        clinic_id = requests.get(f"{base}/clinics", timeout=10, headers={
            "Authorization": f"Bearer {token}"}).json()[0]["id"]
        threads = [threading.Thread(target=add_users_until_refused,
                                    args=(base, token, clinic_id, attempts, stop), daemon=True)
                   for _ in range(4)]
        for thread in threads:
            thread.start()
        wait_for(lambda: sum(a.status == 201 for a in attempts) >= 40, timeout=60)
        signalled = time.monotonic()
        exit_code = terminate(server)
        for thread in threads:
            thread.join(timeout=30)
    finally:
        stop.set()
        if server.poll() is None:
            server.kill()
            server.wait()
    log = (tmp_path / "gunicorn.log").read_text()
    assert exit_code == 0, log[-3000:]

    answered = [a for a in attempts if a.status is not None]
    assert all(a.status == 201 for a in answered), {a.status for a in answered}
    # Requests that had started when SIGTERM came and were answered afterwards: in flight.
    assert any(a.started < signalled < a.ended for a in answered), "nothing was in flight"
    # Only the requests that reached no worker fail, and only by a closed connection.
    failed = [a for a in attempts if a.error]
    assert all("Connection" in a.error for a in failed), [a.error for a in failed]
    with identity.engine.connect() as conn:
        committed = set(conn.execute(select(users.c.email).where(
            users.c.email.like("%@graceful.example"))).scalars())
    assert {a.email for a in answered} <= committed, "an answered write was not committed"
    # A request that got no answer had no effect either, so a client's retry doubles nothing.
    assert not {a.email for a in failed} & committed
    print(f"{len(answered)} answered, {len(failed)} refused after SIGTERM")


# --- (b) a consumer acks what it holds and exits 0 ------------------------------------------

BACKLOG = 3000


def test_a_consumer_stopped_mid_backlog_acks_what_it_handled_and_a_restart_stores_the_rest_once(
    two_services, tmp_path
):
    env, identity, audit = two_services
    with audit.connection() as conn:  # the queue exists before the events are published
        declare_consumer_topology(conn.channel(), "audit.all", ("#",), False)
    commit_events(identity, BACKLOG)
    assert identity.relay().relay_pending() == BACKLOG
    consume = [str(BIN / "audit"), "consume"]

    first = start(consume, env, tmp_path / "consumer-1.log")
    wait_for(lambda: stored(audit)[0] >= 200, timeout=60, interval=0.01)
    assert terminate(first) == 0, (tmp_path / "consumer-1.log").read_text()[-3000:]
    at_stop, _ = stored(audit)
    assert at_stop < BACKLOG, "the backlog was gone before SIGTERM: nothing was tested"
    # Everything it stored it acked: what is left in the queue is exactly what it did not store.
    assert waiting_in_queue(audit, "audit.all") == BACKLOG - at_stop

    second = start(consume, env, tmp_path / "consumer-2.log")
    try:
        wait_for(lambda: stored(audit)[0] >= BACKLOG, timeout=90)
        wait_for(lambda: waiting_in_queue(audit, "audit.all") == 0, timeout=30)
    finally:
        assert terminate(second) == 0, (tmp_path / "consumer-2.log").read_text()[-3000:]
    print(f"stored by the first consumer before SIGTERM: {at_stop} of {BACKLOG}")
    assert stored(audit) == (BACKLOG, BACKLOG)
    with audit.connection() as conn:
        assert list_dead_letters(conn, "audit.all") == []


# --- (c) a relay finishes its batch and exits 0 ---------------------------------------------


def test_a_relay_stopped_mid_backlog_finishes_its_batch_and_a_restart_publishes_the_rest(
    two_services, tmp_path
):
    env, identity, audit = two_services
    consumer = audit.consumer(AUDIT.subscriptions[0])
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    relay_cmd = [str(BIN / "identity"), "relay"]
    outbox = identity.relay()
    try:
        wait_for(consumer.ready.is_set, timeout=10)
        commit_events(identity, BACKLOG)

        first = start(relay_cmd, env, tmp_path / "relay-1.log")
        wait_for(lambda: outbox.unsent_count() <= BACKLOG - 300, timeout=60, interval=0.005)
        assert terminate(first) == 0, (tmp_path / "relay-1.log").read_text()[-3000:]
        sent_at_stop = BACKLOG - outbox.unsent_count()
        assert sent_at_stop < BACKLOG, "the outbox was empty before SIGTERM: nothing was tested"
        # Whole batches only: what it published it also marked sent, nothing more, nothing less.
        wait_for(lambda: stored(audit)[0] >= sent_at_stop, timeout=30)
        time.sleep(0.5)  # a duplicate publish would arrive within this
        assert consumer.handled == sent_at_stop == stored(audit)[0]

        second = start(relay_cmd, env, tmp_path / "relay-2.log")
        try:
            wait_for(lambda: outbox.unsent_count() == 0, timeout=60)
            wait_for(lambda: stored(audit)[0] >= BACKLOG, timeout=60)
        finally:
            assert terminate(second) == 0, (tmp_path / "relay-2.log").read_text()[-3000:]
    finally:
        consumer.should_stop = True
        thread.join(timeout=15)
    print(f"published by the first relay before SIGTERM: {sent_at_stop} of {BACKLOG}")
    assert stored(audit) == (BACKLOG, BACKLOG)
    assert consumer.handled == BACKLOG, "an event was published twice"


def practice_data(n: int) -> dict:
    """identity.practice.created's data as identity defines it (consumers check it)."""
    return {"name": f"Practice {n}", "model": "therapy", "owner_id": str(uuid.uuid4()),
            "licensed_seats": 5, "recognized_domains": ["sunrise.example"], "clinics": [],
            "automation_profile": {"id": str(uuid.uuid4()), "email": f"robot{n}@sunrise.example",
                                   "full_name": "Automation", "kind": "automation",
                                   "user_type": "AUTOMATION"}}
