"""kill -9 of a consumer and of an API worker mid-load: nothing committed is lost, nothing is
counted twice in audit. (The relay's kill -9 is test_relay_killed.py.)"""

from __future__ import annotations

import subprocess
import time
import uuid

import pytest
import requests
from faultkit import IDENTITY, PASSWORD, Load, clinic_load, open_clinic, report
from gateway_client import answers  # deploy/local, on the path (conftest)
from sqlalchemy import select

from identity.adapters.tables import users
from identity.service_layer.practices import create_practice
from servicekit.totp_wallet import sign_in_through
from servicekit_testing.fixtures import wait_for
from servicekit_testing.servers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.faults]


def test_consumers_killed_mid_load_lose_and_double_nothing(platform):
    platform.start_workers()
    clinic = open_clinic(platform)
    finalized: list[str] = []
    load = Load(clinic_load(clinic, finalized)).start()
    down: dict[str, float] = {}
    try:
        for name, command in (("audit-consumer", ("audit", "consume")),
                              ("notes-consumer", ("notes", "consume"))):
            time.sleep(1.5)
            killed_at = time.monotonic()
            platform.kill9(name)
            time.sleep(1)
            platform.start(name, *command)
            down[name] = time.monotonic() - killed_at
        time.sleep(1.5)
    finally:
        load.stop()
        clinic.close()
    caught_up = platform.wait_caught_up()
    stored = platform.assert_exactly_once()
    report("kill -9 of each consumer mid-load (audit.all, then notes.identity)", {
        "requests": load.total,
        "failed requests": load.failed(),
        "audit consumer down (s)": down["audit-consumer"],
        "notes consumer down (s)": down["notes-consumer"],
        "caught up after the load stopped (s)": caught_up,
        "notes finalized": len(finalized),
        "events stored by audit, each once": stored,
    })
    assert load.failed() == 0, load.errors[:5]
    assert sorted(platform.audit_subjects("notes.note.finalized")) == sorted(finalized)
    assert platform.dead_letters("notes.identity") == []


def worker_pids(master: subprocess.Popen) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True, text=True)
    return sorted(int(pid) for pid in found.stdout.split())


def test_an_api_worker_killed_mid_load_loses_and_doubles_nothing(platform):
    """identity under gunicorn (2 workers); each worker in turn is killed -9 while owners
    sign in and add staff over HTTP."""
    # audit's queue first: events relayed before it exists would be unroutable.
    platform.start("audit-consumer", "audit", "consume")
    platform.wait_for_queues("audit.all")
    platform.start("identity-relay", "identity", "relay")
    runtime = IDENTITY.runtime(IDENTITY.load_config(
        database_url=platform.databases["identity"], local_dir=platform.folder))
    owner_email = f"owner-{uuid.uuid4().hex[:8]}@faults.example"
    create_practice(runtime.uow(), name="Kill Nine Physio", owner_email=owner_email,
                    owner_password=PASSWORD, seats=100_000)
    runtime.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    master = platform.start("identity-api", "gunicorn", "-c", "services/identity/gunicorn.conf.py",
                            BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2")
    wait_for(lambda: len(worker_pids(master)) == 2 and answers(f"{base}/healthz"),
             timeout=40, interval=0.2)
    http = requests.Session()
    token = sign_in_through(http, {"email": owner_email, "password": PASSWORD}, base,
                            timeout=10).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    clinic_id = http.get(f"{base}/clinics", headers=headers, timeout=10).json()[0]["id"]
    added: list[str] = []

    def step(n: int) -> list[tuple[str, int]]:
        done = []
        with requests.Session() as session:  # a new connection: either worker may answer
            if n % 4 == 0:
                login = sign_in_through(session, {"email": owner_email, "password": PASSWORD},
                                        base, timeout=10)
                done.append(("login", login.status_code))
            response = session.post(f"{base}/users", headers=headers, timeout=10, json={
                "email": f"staff-{uuid.uuid4().hex[:10]}@faults.example",
                "full_name": "Casey Staff", "user_type": "Front Office",
                "default_clinic_id": clinic_id, "clinic_ids": [clinic_id]})
            done.append(("add_user", response.status_code))
            if response.status_code == 201:
                added.append(response.json()["id"])
        return done

    loads = [Load(step).start() for _ in range(2)]
    killed: list[int] = []
    respawned_in: list[float] = []
    try:
        for _ in range(2):
            time.sleep(1.5)
            victim = next(pid for pid in worker_pids(master) if pid not in killed)
            killed_at = time.monotonic()
            subprocess.run(["kill", "-9", str(victim)], check=True)
            killed.append(victim)
            wait_for(lambda: len([p for p in worker_pids(master) if p not in killed]) == 2
                     and answers(f"{base}/healthz"), timeout=30, interval=0.05)
            respawned_in.append(time.monotonic() - killed_at)
        time.sleep(1.5)
    finally:
        for load in loads:
            load.stop()
    caught_up = platform.wait_caught_up()
    stored = platform.assert_exactly_once()
    with platform.engine("identity").connect() as conn:
        in_db = set(conn.execute(select(users.c.id).where(users.c.id.in_(added))).scalars())
    failed = sum(load.failed() for load in loads)
    report("kill -9 of each gunicorn worker of identity mid-load", {
        "requests": sum(load.total for load in loads),
        "failed requests (in flight on a killed worker)": failed,
        "users added (201)": len(added),
        "worker replaced and answering after (s)": ", ".join(f"{s:.2f}" for s in respawned_in),
        "caught up after the load stopped (s)": caught_up,
        "events stored by audit, each once": stored,
    })
    assert in_db == set(added), "every confirmed user is in identity's database"
    created = platform.audit_subjects("identity.user.created")
    assert len(created) == len(set(created))
    assert set(added) <= set(created)
    # Only requests in flight on a killed worker may fail, and only by a cut connection.
    assert failed <= 2 * len(killed) * len(loads), [e for load in loads for e in load.errors]
    assert all(s in (200, 201, 599) for load in loads for _, _, s in load.results)
