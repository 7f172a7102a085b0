"""The notes service's PostgreSQL stopped: notes answers 503 with a clear error, identity keeps
working, and once the database is back notes' consumer works off what it missed.

Notes' database is a private PostgreSQL the test starts itself; identity and audit stay on the
machine's shared server, which no test may stop.
"""

from __future__ import annotations

import subprocess
import time
import uuid

import pytest
from faultkit import Platform, open_clinic, report, show_logs_if_failed
from sqlalchemy import select

from notes.spec import SPEC as NOTES
from servicekit.totp_wallet import sign_in_through
from servicekit_testing.fixtures import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.faults]

OUTAGE_SECONDS = 5.0


class DeadLetteredWhileDatabaseDown(AssertionError):
    """The consumer spent its retries on its own database's outage, not on a bad event."""


@pytest.fixture
def split_platform(request, tmp_path, make_database, private_broker_url, private_postgres):
    made = Platform(tmp_path, private_broker_url, {
        "identity": make_database(), "notes": private_postgres.create_database(),
        "audit": make_database()})
    made.migrate()
    yield made
    made.stop_all()
    show_logs_if_failed(request, made)


def projected_ids(platform: Platform) -> set[str]:
    inbox = NOTES.messaging.inbox
    with platform.engine("notes").connect() as conn:
        return set(conn.execute(select(inbox.c.event_id)
                                .where(inbox.c.consumer == "notes.identity")).scalars())


# While its own database is down, the consumer waits on the event instead of using up its
# retries (servicekit's is_database_unavailable), so nothing is dead-lettered and the backlog
# is worked off by itself once the database is back.
def test_notes_database_down_gives_503_while_identity_works(split_platform, private_postgres):
    platform = split_platform
    platform.start_workers()
    clinic = open_clinic(platform)
    notes, identity, headers = clinic.notes, clinic.identity, clinic.headers
    patient_url = f"/patients/{clinic.chart['patient_id']}"
    try:
        assert notes.get("/readyz").status_code == 200
        stopped_at = time.monotonic()
        private_postgres.stop()

        ready = notes.get("/readyz")
        assert ready.status_code == 503
        read = notes.get(patient_url, headers=headers)
        write = notes.post("/notes", headers=headers, json={
            "case_id": clinic.chart["case_id"], "kind": "daily_note",
            "date_of_service": "2026-11-20"})
        for response in (read, write):
            assert response.status_code == 503, response.get_json()
            error = response.get_json()["error"]
            assert error["code"] == "database_unavailable"
            assert "try again" in error["message"]
            assert "postgres" not in error["message"].lower()  # no DSN, no driver text

        # identity, on its own database, keeps signing in and adding staff; its events wait
        # in the bus for notes' consumer.
        added = []
        while time.monotonic() - stopped_at < OUTAGE_SECONDS:
            login = sign_in_through(identity, {"email": clinic.owner_email,
                                               "password": "faults correct horse battery "
                                               "staple"})
            assert login.status_code == 200
            user = identity.post("/users", headers=headers, json={
                "email": f"staff-{uuid.uuid4().hex[:8]}@faults.example",
                "full_name": "Casey Staff", "user_type": "Front Office",
                "default_clinic_id": clinic.chart["clinic_id"],
                "clinic_ids": [clinic.chart["clinic_id"]]})
            assert user.status_code == 201, user.get_json()
            added.append(user.get_json()["id"])
            time.sleep(0.5)
        identity_events = platform.outbox_ids("identity")

        private_postgres.start()
        back_at = time.monotonic()
        wait_for(lambda: notes.get("/readyz").status_code == 200, timeout=20, interval=0.1)
        ready_in = time.monotonic() - back_at
        assert notes.get(patient_url, headers=headers).status_code == 200
        # Give the consumer the time it would need to work off the backlog by itself.
        # Done when everything is projected except what went to the dead letters.
        _wait_quietly(lambda: len(identity_events - projected_ids(platform))
                      <= len(platform.dead_letters("notes.identity")), 20)
        caught_up_alone = identity_events <= projected_ids(platform)
        dead = len(platform.dead_letters("notes.identity"))
        if dead:  # what an operator does today: replay the dead letters once the database is up
            subprocess.run(["notes", "dead-letters", "replay", "notes.identity"], check=True,
                           env=platform.env, capture_output=True, timeout=60)
        wait_for(lambda: identity_events <= projected_ids(platform), timeout=30, interval=0.1)
        projected_in = time.monotonic() - back_at
    finally:
        clinic.close()
    caught_up = platform.wait_caught_up()
    stored = platform.assert_exactly_once()
    report("notes' PostgreSQL stopped (identity on its own database)", {
        "database outage (s)": back_at - stopped_at,
        "notes /readyz and routes while down": f"{ready.status_code}, {read.status_code}",
        "identity requests while notes was down (all OK)": 2 * len(added),
        "notes ready again after restart (s)": ready_in,
        "notes.identity caught up by itself": caught_up_alone,
        "events notes.identity dead-lettered during the outage": dead,
        "identity events projected into notes after restart (s)": projected_in,
        "audit caught up after that (s)": caught_up,
        "events stored by audit, each once": stored,
    })
    assert platform.dead_letters("notes.identity") == []  # all replayed, none failed again
    if dead or not caught_up_alone:
        raise DeadLetteredWhileDatabaseDown(
            f"notes.identity dead-lettered {dead} events because its own database was down")


def _wait_quietly(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False
