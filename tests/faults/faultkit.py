"""What the fault tests share: a small platform (identity, notes, audit) on real servers.

The APIs run in-process (Flask test clients) or as real gunicorn processes; relays and
consumers are the real `<service> relay` / `<service> consume` commands, so kill -9 and broker
restarts hit them as they would in production. Every check ends in the same ledger: the ids
of every event committed to identity's and notes' outboxes must be exactly the ids audit
stored, each once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kombu import Connection
from sqlalchemy import create_engine, func, select

from audit.adapters.tables import audit_events
from audit.service_layer.anchoring import CHECKPOINT_SIGNED
from audit.spec import SPEC as AUDIT
from docportal.spec import SPEC as DOCPORTAL
from identity.app import create_app as create_identity_app
from identity.service_layer.practices import create_practice
from identity.spec import SPEC as IDENTITY
from notes.app import create_app as create_notes_app
from notes.spec import SPEC as NOTES
from servicekit.auth import TokenVerifier
from servicekit.messaging.deadletters import list_dead_letters
from servicekit.migrations import upgrade
from servicekit.totp_wallet import sign_in_through
from servicekit_testing.fixtures import wait_for

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NOT_RECORDED_BY_AUDIT = (CHECKPOINT_SIGNED,)
SPECS = {"identity": IDENTITY, "notes": NOTES, "docportal": DOCPORTAL, "audit": AUDIT}
PASSWORD = "faults correct horse battery staple"


@dataclass
class Platform:
    """Databases, bus and worker processes of one fault test."""

    folder: Path
    bus_url: str
    databases: dict[str, str]
    extra_env: dict[str, str] = field(default_factory=dict)
    # Whose outboxes the ledger reads: the services whose relays run in this test.
    producers: tuple[str, ...] = ("identity", "notes")
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    _engines: dict[str, object] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        env = {**os.environ, "LOCAL_DIR": str(self.folder), "BUS_URL": self.bus_url,
               "BUS_QUORUM_QUEUES": "1", "BUS_HEARTBEAT_SECONDS": "5",
               "SMTP_URL": "smtp://127.0.0.1:9", "LOG_LEVEL": "INFO",
               "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
        for service, url in self.databases.items():
            env[f"{service.upper()}_DATABASE_URL"] = url
        return {**env, **self.extra_env}

    def migrate(self) -> None:
        for service, url in self.databases.items():
            upgrade(SPECS[service].migrations_dir, url)

    def engine(self, service: str):  # noqa: ANN201 - a SQLAlchemy engine
        if service not in self._engines:
            self._engines[service] = create_engine(self.databases[service], pool_pre_ping=True)
        return self._engines[service]

    # --- processes ---------------------------------------------------------------------------

    def start(self, name: str, *command: str, **env: str) -> subprocess.Popen:
        """Start ``command`` (e.g. ``identity relay``) as the process called ``name``."""
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen([*command], cwd=REPO, env={**self.env, **env},
                                   stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.processes[name] = process
        return process

    def start_workers(self) -> None:
        """Both relays and both consumers, as the production stack runs them."""
        self.start("identity-relay", "identity", "relay")
        self.start("notes-relay", "notes", "relay")
        self.start("audit-consumer", "audit", "consume")
        self.start("notes-consumer", "notes", "consume")
        self.wait_for_queues("audit.all", "notes.identity")

    def queue_exists(self, name: str) -> bool:
        with Connection(self.bus_url, connect_timeout=5) as conn:
            try:
                conn.channel().queue_declare(queue=name, passive=True)
            except conn.channel_errors:
                return False
        return True

    def wait_for_queues(self, *names: str) -> None:
        """Until each consumer has declared its queue: events published before are unrouted."""
        wait_for(lambda: all(self.queue_exists(name) for name in names), timeout=30,
                 interval=0.2)

    def kill9(self, name: str) -> None:
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        for engine in self._engines.values():
            engine.dispose()

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- the ledger --------------------------------------------------------------------------

    def outbox_ids(self, service: str) -> set[str]:
        """Events ``service`` committed that audit must hold: all but the checkpoint
        announcements audit makes of its own record (recording them would never end)."""
        outbox = SPECS[service].messaging.outbox
        with self.engine(service).connect() as conn:
            return set(conn.execute(select(outbox.c.event_id).where(
                outbox.c.event_type.not_in(NOT_RECORDED_BY_AUDIT))).scalars())

    def outbox_count(self, service: str, event_type: str) -> int:
        outbox = SPECS[service].messaging.outbox
        with self.engine(service).connect() as conn:
            return conn.execute(select(func.count())
                                .where(outbox.c.event_type == event_type)).scalar_one()

    def unsent(self, service: str) -> int:
        outbox = SPECS[service].messaging.outbox
        with self.engine(service).connect() as conn:
            return conn.execute(select(func.count()).where(outbox.c.sent_at.is_(None))).scalar_one()

    def audit_ids(self) -> list[str]:
        with self.engine("audit").connect() as conn:
            return list(conn.execute(select(audit_events.c.event_id)).scalars())

    def audit_subjects(self, event_type: str) -> list[str]:
        """The subject ids of every ``event_type`` event audit stored (repeats kept)."""
        with self.engine("audit").connect() as conn:
            envelopes = conn.execute(select(audit_events.c.envelope)
                                     .where(audit_events.c.type == event_type)).scalars()
            return [json.loads(envelope)["subject"]["id"] for envelope in envelopes]

    def committed_ids(self) -> set[str]:
        return set().union(*(self.outbox_ids(s) for s in self.producers))

    def audit_has(self, ids: set[str]) -> bool:
        return ids <= set(self.audit_ids())

    def wait_caught_up(self, timeout: float = 45.0) -> float:
        """Wait until every committed event is sent and stored by audit; return the seconds."""
        started = time.monotonic()
        while True:
            unsent = {s: self.unsent(s) for s in self.producers}
            missing = self.committed_ids() - set(self.audit_ids())
            if not any(unsent.values()) and not missing:
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise AssertionError(f"not caught up within {timeout}s: unsent {unsent}, "
                                     f"{len(missing)} committed events not in audit")
            time.sleep(0.1)

    def assert_exactly_once(self) -> int:
        """Audit stored every committed event once and nothing else; return how many."""
        committed, stored = self.committed_ids(), self.audit_ids()
        doubled = [event_id for event_id, n in Counter(stored).items() if n > 1]
        assert doubled == [], f"stored more than once: {doubled[:5]}"
        assert set(stored) == committed, (
            f"missing in audit: {len(committed - set(stored))}, "
            f"unknown to the producers: {len(set(stored) - committed)}")
        assert self.dead_letters("audit.all") == []
        return len(stored)

    def dead_letters(self, queue: str) -> list:
        runtime = AUDIT.runtime(AUDIT.load_config(database_url=self.databases["audit"],
                                                  bus_url=self.bus_url, local_dir=self.folder))
        try:
            with runtime.connection() as conn:
                return list_dead_letters(conn, queue, quorum=True)
        finally:
            runtime.close()


# --- in-process APIs ----------------------------------------------------------------------------


@dataclass
class Clinic:
    """A practice with its owner signed in to in-process identity and notes apps."""

    identity: object  # Flask test clients
    notes: object
    owner_email: str
    token: str
    chart: dict[str, str]
    apps: list = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def close(self) -> None:
        for app in self.apps:
            app.extensions["servicekit.runtime"].close()


def in_process_apps(platform: Platform):  # noqa: ANN201 - (identity app, notes app)
    overrides = {"local_dir": platform.folder, "bus_url": platform.bus_url,
                 "bus_quorum_queues": True, "log_level": "WARNING"}  # no access log on -s
    identity = create_identity_app(IDENTITY.load_config(
        database_url=platform.databases["identity"], smtp_url="smtp://127.0.0.1:9",
        **overrides))
    jwks = identity.test_client().get("/.well-known/jwks.json").get_json()
    verifier = TokenVerifier(issuer="clinic-identity", audience="clinic-platform",
                             algorithms=("EdDSA",), jwks=jwks)
    notes = create_notes_app(
        NOTES.load_config(database_url=platform.databases["notes"], **overrides),
        verifier=verifier)
    return identity, notes


def open_clinic(platform: Platform) -> Clinic:
    """A practice made through identity's use case, its owner signed in, a patient's chart."""
    identity_app, notes_app = in_process_apps(platform)
    identity, notes = identity_app.test_client(), notes_app.test_client()
    email = f"owner-{uuid.uuid4().hex[:8]}@faults.example"
    runtime = identity_app.extensions["servicekit.runtime"]
    create_practice(runtime.uow(), name="Fault Line Physio", owner_email=email,
                    owner_password=PASSWORD, seats=1000)
    login = sign_in_through(identity, {"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.get_json()
    token = login.get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    # notes knows the owner once its consumer has projected identity's events.
    probe = {"case_id": str(uuid.uuid4()), "kind": "daily_note", "date_of_service": "2026-11-20"}
    wait_for(lambda: notes.post("/notes", json=probe, headers=headers).status_code == 404,
             timeout=30, interval=0.1)
    clinic_id = identity.get("/clinics", headers=headers).get_json()[0]["id"]
    insurance = notes.post("/insurances", headers=headers, json={
        "name": "Fault Payer", "allow_assistants_to_finalize": True}).get_json()
    patient = notes.post("/patients", headers=headers, json={
        "clinic_id": clinic_id, "first_name": "Robin", "last_name": "Example",
        "date_of_birth": "1980-02-03"}).get_json()
    case = notes.post("/cases", headers=headers, json={
        "patient_id": patient["id"], "insurance_id": insurance["id"]}).get_json()
    chart = {"clinic_id": clinic_id, "patient_id": patient["id"], "case_id": case["id"]}
    return Clinic(identity, notes, email, token, chart, [identity_app, notes_app])


# --- load -------------------------------------------------------------------------------------


@dataclass
class Load:
    """Runs ``step`` over and over in a thread; each call returns [(what, status), ...]."""

    step: Callable[[int], list[tuple[str, int]]]
    results: list[tuple[float, str, int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> Load:
        self._thread = threading.Thread(target=self._run, daemon=True, name="fault-load")
        self._thread.start()
        return self

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            n += 1
            try:
                for what, status in self.step(n):
                    self.results.append((time.monotonic(), what, status))
            except Exception as exc:  # noqa: BLE001 - a failed request is a figure, not a crash
                self.results.append((time.monotonic(), "exception", 599))
                self.errors.append(f"{type(exc).__name__}: {exc}"[:300])

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    @property
    def total(self) -> int:
        return len(self.results)

    def failed(self, since: float = 0.0, until: float = float("inf")) -> int:
        return sum(1 for t, _, status in self.results if since <= t <= until and status >= 500)

    def count(self, what: str, status: int) -> int:
        return sum(1 for _, w, s in self.results if w == what and s == status)


def clinic_load(clinic: Clinic, finalized: list[str]) -> Callable[[int], list]:
    """Sign-ins, patient views, notes started and finalized, through the in-process APIs."""
    def step(n: int) -> list[tuple[str, int]]:
        done = []
        if n % 5 == 1:
            login = sign_in_through(
                clinic.identity, {"email": clinic.owner_email, "password": PASSWORD})
            done.append(("login", login.status_code))
        view = clinic.notes.get(f"/patients/{clinic.chart['patient_id']}",
                                headers=clinic.headers)
        done.append(("view", view.status_code))
        note = clinic.notes.post("/notes", headers=clinic.headers, json={
            "case_id": clinic.chart["case_id"], "kind": "daily_note",
            "date_of_service": "2026-11-20", "subjective": "Less pain.",
            "assessment": "Improving."})
        done.append(("start", note.status_code))
        if note.status_code == 201:
            note_id = note.get_json()["id"]
            final = clinic.notes.post(f"/notes/{note_id}/finalize", headers=clinic.headers,
                                      json={"version": note.get_json()["version"]})
            done.append(("finalize", final.status_code))
            if final.status_code == 200:
                finalized.append(note_id)
        return done
    return step


def report(title: str, figures: dict[str, object]) -> None:
    """Print a fault's figures (pytest -s); docs/reliability.md quotes them."""
    width = max(len(k) for k in figures)
    print(f"\n== {title}")
    for key, value in figures.items():
        shown = f"{value:.2f}" if isinstance(value, float) else value
        print(f"   {key:<{width}}  {shown}")


def show_logs_if_failed(request, made: Platform) -> None:
    """A failed fault test shows the end of each worker's log: the why is usually there."""
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        for name in made.processes:
            print(f"\n--- {name}.log (end)\n{made.log(name)[-3000:]}")
