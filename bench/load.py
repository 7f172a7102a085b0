"""Load mix through the gateway, stepped until p99 crosses 250 ms, against a bare endpoint.

    .venv/bin/python bench/load.py                 # local default stack (SQLite, filesystem bus)
    .venv/bin/python bench/load.py --real          # this machine's PostgreSQL and RabbitMQ
    .venv/bin/python bench/load.py --quick         # short steps, a smoke check

Starts the local stack in a throwaway LOCAL_DIR (refusing when another stack, e.g. CI's
end-to-end tests, holds the ports) and stops it at the end; with `--real` on fresh databases
`bench_load_<random>_<service>` and a fresh vhost, dropped at the end. `--use-running` loads
the platform already at http://127.0.0.1:8080 instead (claims then need `--local-dir`, to
read its mail sink).

Load: locust's library (headless `Environment`, `FastHttpUser`), paced users (each user runs
its tasks at rate/users per second, like `constant_throughput`), the offered rate stepped up
until a step's p99 reaches 250 ms, requests fail or the achieved rate falls 10 % short.
Mix (task weights): patient search 30, patient view 30, note create + finalize 10, sign-in 5,
audit access report 3, share (upload a small PDF + POST /shares) 2, claim 2 (the recipient's
portal opens the mailed link: GET /portal/s/<token>, which claims). The baseline is
`GET /api/identity/healthz` stepped the same way in the same run. Event lag: every finalize's
response time against `received_at` of its `notes.note.finalized` record in audit
(`GET /api/audit/events`), for the finalizes of the reported step.

Exits 0 whether or not any rate is reached; 1 if something broke (the stack, setup, a step
with errors at the lowest rate, finalize events missing in audit).
"""

from __future__ import annotations

# isort: off
# locust patches the standard library for gevent; it must come before requests and sockets.
from locust import FastHttpUser, events, task
from locust.env import Environment
# isort: on

import argparse
import json
import math
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import gevent
import requests
from gevent.lock import Semaphore
from urllib3 import encode_multipart_formdata

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
sys.path.insert(0, str(REPO / "deploy" / "local"))
from e2e_stack import (  # noqa: E402
    GATEWAY,
    PASSWORD,
    PORTS,
    REAL_SERVER_VARIABLES,
    SERVICES,
    Stack,
    StaffPractice,
    add_staff,
    answers,
    known_to_notes,
    new_chart,
    port_in_use,
    sign_in,
)
from gateway_client import GatewayClient, SourceAddressAdapter, session_from  # noqa: E402
from stack_process import start_stack, stop_stack  # noqa: E402

P99_LIMIT_MS = 250.0
MIX_RATES = (5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 90, 110, 130, 160, 200)
BASELINE_RATES = (100, 200, 400, 600, 800, 1000, 1250, 1500, 1750, 2000, 2500, 3000)
LINK = re.compile(r"https?://\S+/portal/s/([A-Za-z0-9_\-]+)")
CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
PDF = b"%PDF-1.7\n" + b"0" * 4096 + b"\n%%EOF\n"
RECIPIENT = "dr.load@physicians.example"


# ---------------------------------------------------------------------------- the stack

def ports_taken() -> list[int]:
    return [port for port in PORTS if port_in_use(port)]


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def drop_databases(names: list[str]) -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres",
                         autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def platform(real: bool, use_running: bool, local_dir: str | None) -> Iterator[Stack]:
    """The running platform (`--use-running`), or a local stack started for this run."""
    if use_running:
        if not answers(f"{GATEWAY}/api/identity/readyz"):
            raise SystemExit(f"nothing answers at {GATEWAY}: start it (make run) or drop "
                             "--use-running")
        print("using the platform already running at", GATEWAY, flush=True)
        env = {**os.environ}
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        yield Stack(env, Path(local_dir)) if local_dir else Stack(env, Path("/nonexistent"))
        return
    taken = ports_taken()
    if taken:
        raise SystemExit(f"ports {taken} are in use (another stack, CI's end-to-end tests?); "
                         "stop it or wait, then run again")
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = {k: v for k, v in os.environ.items() if k not in REAL_SERVER_VARIABLES}
    env["LOCAL_DIR"] = str(folder)
    env["SEED_DEMO"] = "0"  # the demo practice's seeding would spend the gateway's limits
    # The load's few staff share with one address many times a minute: far past docportal's
    # share limits (10 per sender in 10 minutes, 5 per address an hour), meant for people.
    env["SHARE_MAILS_PER_SENDER"] = env["SHARE_MAILS_PER_RECIPIENT"] = "1000000"
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    args: list[str] = []
    name, databases, vhost = f"bench_load_{secrets.token_hex(4)}", [], False
    if real:
        args.append("--real")
        for service in SERVICES:
            databases.append(f"{name}_{service}")
            env[f"{service.upper()}_DATABASE_URL"] = (
                f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}_{service}")
        rabbitmqctl("add_vhost", name)
        vhost = True
        rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        env["BUS_URL"] = f"amqp://guest:guest@127.0.0.1:5672/{name}"
    proc = start_stack(env, folder, args)
    print(f"started the local stack{' --real' if real else ''} (pid {proc.pid}, "
          f"LOCAL_DIR {folder})", flush=True)
    try:
        deadline = time.monotonic() + 240
        while not all(answers(f"{GATEWAY}/api/{s}/readyz") for s in SERVICES):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the local stack did not start; see {folder}/stack.log")
            time.sleep(0.5)
        yield Stack(env, folder)
    finally:
        if proc.poll() is not None:  # honcho stops everything when one process exits
            print(f"the stack stopped by itself during the run; see {folder}/stack.log",
                  file=sys.stderr, flush=True)
        else:
            stop_stack(proc)
        if vhost:
            rabbitmqctl("delete_vhost", name)
        if databases:
            drop_databases(databases)
        print("stopped the local stack", flush=True)


# ---------------------------------------------------------------------------- client addresses

# The gateway limits sign-ins (20/min) and share links (30/min) per client address, and real
# load comes from many offices, not from one: each simulated office has a loopback address.
ADDRESSES = (f"127.0.{1 + n // 250}.{1 + n % 250}" for n in range(100_000))


# ---------------------------------------------------------------------------- shared state

@dataclass
class Account:
    email: str
    user_id: str
    token: str
    signed_in_at: float = field(default_factory=time.monotonic)


@dataclass
class World:
    """What the simulated users share: accounts, charts, the recipient's portal session."""

    stack: Stack
    owner: Account
    staff: list[Account]
    charts: list[dict[str, str]]
    recipient: requests.Session | None = None
    recipient_lock: Semaphore = field(default_factory=Semaphore)
    recipient_addresses: list[SourceAddressAdapter] = field(
        default_factory=lambda: [SourceAddressAdapter(next(ADDRESSES)) for _ in range(16)])
    seen_mail: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)
    finalized: list[tuple[str, float]] = field(default_factory=list)  # (note id, wall time)

    @property
    def mail_dir(self) -> Path:
        return self.stack.local_dir / "mail"

    def new_links(self) -> None:
        """Links mailed to the recipient since the last look (the local mail sink's files)."""
        if not self.mail_dir.is_dir():
            return
        for entry in os.scandir(self.mail_dir):
            if entry.name in self.seen_mail or not entry.name.endswith(".eml"):
                continue
            self.seen_mail.add(entry.name)
            message = message_from_bytes(Path(entry.path).read_bytes(), policy=policy.default)
            if RECIPIENT not in message.get("X-Sink-Rcpt-To", ""):
                continue
            found = LINK.search(message.get_body(("plain",)).get_content())
            if found:
                self.links.append(found.group(1))


WORLD: World | None = None
RATE_PER_USER = [1.0]  # tasks/s of each user; changed between steps
SAMPLES: list[tuple[str, float, bool]] = []  # (name, ms, ok) of the current step
TASKS_DONE = [0]


def record(name: str, started: float, ok: bool) -> None:
    SAMPLES.append((name, (time.perf_counter() - started) * 1000, ok))


@events.request.add_listener
def on_request(request_type, name, response_time, response_length, exception=None, **_kw):
    SAMPLES.append((name, float(response_time), exception is None))


def paced(user) -> float:
    """`constant_throughput` with a rate read at every wait: RATE_PER_USER[0] tasks/s."""
    now = time.monotonic()
    last = getattr(user, "_paced_last", None)
    if last is None:  # spread the first tasks over one period
        user._paced_last, user._paced_wait = now, random.random() / RATE_PER_USER[0]
        return user._paced_wait
    ran = now - last - user._paced_wait
    user._paced_wait = max(0.0, 1 / RATE_PER_USER[0] - ran)
    user._paced_last = now
    return user._paced_wait


# ---------------------------------------------------------------------------- the users

class Baseline(FastHttpUser):
    host = GATEWAY
    wait_time = paced

    @task
    def healthz(self) -> None:
        with self.client.get("/api/identity/healthz", name="baseline healthz",
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
        TASKS_DONE[0] += 1


class Mix(FastHttpUser):
    host = GATEWAY
    wait_time = paced

    def on_start(self) -> None:
        assert WORLD is not None
        self.world = WORLD
        self.me = random.choice(WORLD.staff)
        # Sign-ins, limited per address; a refused one is measured, not waited out.
        self.office = GatewayClient(session=session_from(next(ADDRESSES)), patience=0)

    def _auth(self, account: Account | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {(account or self.me).token}"}

    def _call(self, method: str, path: str, name: str, expect: int,
              account: Account | None = None, content_type: str | None = None, **kwargs):
        headers = self._auth(account)
        if content_type:
            headers["Content-Type"] = content_type
        with self.client.request(method, path, name=name, headers=headers, catch_response=True,
                                 **kwargs) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code} {(response.text or '')[:200]}")
                return None
            return response

    def done(self) -> None:
        TASKS_DONE[0] += 1

    @task(30)
    def search(self) -> None:
        self._call("POST", "/api/notes/patients/search", "patient search", 200,
                   json={"name": random.choice(("Robin", "Example", "Load")), "page": 1,
                         "page_size": 20})
        self.done()

    @task(30)
    def view(self) -> None:
        chart = random.choice(self.world.charts)
        self._call("GET", f"/api/notes/patients/{chart['patient_id']}", "patient view", 200)
        self.done()

    @task(10)
    def note(self) -> None:
        chart = random.choice(self.world.charts)
        created = self._call("POST", "/api/notes/notes", "note create", 201, json={
            "case_id": chart["case_id"], "kind": "daily_note", "date_of_service": "2026-11-20",
            "subjective": "Reports less pain.", "assessment": "Improving."})
        if created is not None:
            note = created.json()
            finalized = self._call("POST", f"/api/notes/notes/{note['id']}/finalize",
                                   "note finalize", 200, json={"version": note["version"]})
            if finalized is not None:
                self.world.finalized.append((note["id"], time.time()))
        self.done()

    @task(5)
    def signin(self) -> None:
        account = random.choice([*self.world.staff, self.world.owner])
        started = time.perf_counter()
        try:
            response = self.office.sign_in_answer(account.email, PASSWORD)
            ok = response.status_code == 200
        except requests.RequestException:
            ok = False
        record("sign-in", started, ok)
        if ok:
            account.token = response.json()["access_token"]
            account.signed_in_at = time.monotonic()
        self.done()

    @task(3)
    def report(self) -> None:
        someone = random.choice(self.world.staff)
        self._call("GET", f"/api/audit/reports/access?user_id={someone.user_id}",
                   "audit access report", 200, account=self.world.owner)
        self.done()

    @task(2)
    def share(self) -> None:
        chart = random.choice(self.world.charts)
        # FastHttpUser has no `files=`: the multipart body is built here.
        body, content_type = encode_multipart_formdata({
            "patient_id": chart["patient_id"], "kind": "other",
            "file": ("load.pdf", PDF, "application/pdf")})
        uploaded = self._call("POST", "/api/docportal/documents", "document upload", 201,
                              data=body, content_type=content_type)
        if uploaded is not None:
            self._call("POST", "/api/docportal/shares", "share", 201, json={
                "document_ids": [uploaded.json()["id"]], "recipient_email": RECIPIENT,
                "purpose": "treatment"})
        self.done()

    @task(2)
    def claim(self) -> None:
        world = self.world
        if world.recipient is None:
            return self.share()  # no mail sink to read the links from: share instead
        with world.recipient_lock:
            world.new_links()
            if not world.links:
                self.done()
                return
            token = world.links.pop(0)
            # The recipient's one session, from one of several addresses (30 links/min each).
            world.recipient.mount("http://", random.choice(world.recipient_addresses))
            started = time.perf_counter()
            try:
                response = world.recipient.get(f"{GATEWAY}/portal/s/{token}",
                                               allow_redirects=False, timeout=30)
                ok = response.status_code == 302
            except requests.RequestException:
                ok = False
            record("share claim (portal)", started, ok)
        self.done()


# ---------------------------------------------------------------------------- setup

def setup(stack: Stack, staff_count: int, patients: int) -> World:
    tag = uuid.uuid4().hex[:6]
    email = f"owner-{tag}@load.example"
    created = stack.cli("identity", "create-practice", "--name", "Load PT", "--owner-email",
                        email, "--owner-password", PASSWORD, "--seats", str(staff_count + 5))
    owner = StaffPractice(created.split()[1], email, sign_in(email, PASSWORD), stack)
    known_to_notes(owner.token)
    staff = []
    for n in range(staff_count):
        email = f"pt{n}-{tag}@load.example"
        user_id, token = add_staff(owner, email, f"Therapist {n}", "PT")
        staff.append(Account(email, user_id, token))
    charts = [new_chart(owner) for _ in range(patients)]
    world = World(stack, Account(owner.owner_email, "", owner.token), staff, charts)
    if (stack.local_dir / "mail").parent.is_dir():
        world.recipient = register_recipient(world)
    return world


def register_recipient(world: World) -> requests.Session | None:
    """One share, opened and registered for from the portal: the recipient's session."""
    api = GatewayClient(world.owner.token)
    chart = world.charts[0]
    document = api.post("docportal", "/documents", 201,
                        files={"file": ("load.pdf", PDF, "application/pdf")},
                        data={"patient_id": chart["patient_id"], "kind": "other"})
    api.post("docportal", "/shares", 201, json={
        "document_ids": [document.json()["id"]], "recipient_email": RECIPIENT,
        "purpose": "treatment"})
    deadline = time.monotonic() + 15
    while not world.links and time.monotonic() < deadline:
        world.new_links()
        time.sleep(0.2)
    if not world.links:
        print("no share mail in the mail sink: claims are left out", flush=True)
        return None
    token = world.links.pop(0)
    portal = requests.Session()
    page = portal.get(f"{GATEWAY}/portal/s/{token}", timeout=30)
    csrf = CSRF.search(page.text)
    registered = portal.post(f"{GATEWAY}/portal/s/{token}/register", timeout=30, data={
        "email": RECIPIENT, "full_name": "Dr Load", "password": PASSWORD,
        "password_confirm": PASSWORD, "csrf_token": csrf.group(1) if csrf else ""})
    if registered.status_code != 200 or "/portal/shared" not in registered.url:
        print(f"registering the recipient failed ({registered.status_code}): claims are left out",
              flush=True)
        return None
    return portal


def refresh_tokens(world: World) -> None:
    """Sign in again, outside the measured steps, whoever has not for 6 minutes (tokens: 10)."""
    for account in [world.owner, *world.staff]:
        if time.monotonic() - account.signed_in_at > 360:
            account.token = sign_in(account.email, PASSWORD)
            account.signed_in_at = time.monotonic()


# ---------------------------------------------------------------------------- measuring

def percentile(values: list[float], p: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


@dataclass
class Step:
    offered: float  # tasks/s
    tasks_s: float
    requests_s: float
    p50: float
    p95: float
    p99: float
    failures: int
    requests: int
    per_name: dict[str, tuple[int, float, float]]  # name -> (count, p50, p99)
    load: float
    started: datetime
    finalized: list[tuple[str, float]] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return (self.p99 < P99_LIMIT_MS and self.failures <= 0.001 * self.requests
                and self.tasks_s >= 0.9 * self.offered)

    def line(self) -> str:
        verdict = "ok" if self.holds else "OVER"
        return (f"  offered {self.offered:>6.0f} tasks/s  achieved {self.tasks_s:>7.1f} tasks/s "
                f"{self.requests_s:>7.1f} req/s  p50 {self.p50:>6.1f}  p95 {self.p95:>6.1f}  "
                f"p99 {self.p99:>7.1f} ms  failures {self.failures}/{self.requests}  "
                f"load {self.load:.1f}  {verdict}")


def run_steps(label: str, user_class: type, rates: tuple[float, ...], seconds: float,
              warmup: float, world: World | None) -> list[Step]:
    env = Environment(user_classes=[user_class], events=events)
    runner = env.create_local_runner()
    steps: list[Step] = []
    print(f"{label}: {seconds:.0f} s per step after {warmup:.0f} s of warm-up", flush=True)
    try:
        for rate in rates:
            if world is not None:
                refresh_tokens(world)
            users = max(4, min(400, math.ceil(rate / 2)))
            RATE_PER_USER[0] = rate / users
            runner.start(users, spawn_rate=100)
            while runner.user_count != users:
                gevent.sleep(0.2)
            gevent.sleep(warmup)
            SAMPLES.clear()
            TASKS_DONE[0] = 0
            finalized_before = len(world.finalized) if world else 0
            started_wall = datetime.now(UTC)
            started = time.monotonic()
            gevent.sleep(seconds)
            elapsed = time.monotonic() - started
            samples, done = list(SAMPLES), TASKS_DONE[0]
            times = [ms for _, ms, _ in samples]
            per_name: dict[str, list[float]] = {}
            for name, ms, _ in samples:
                per_name.setdefault(name, []).append(ms)
            step = Step(
                offered=rate, tasks_s=done / elapsed, requests_s=len(samples) / elapsed,
                p50=percentile(times, 50), p95=percentile(times, 95), p99=percentile(times, 99),
                failures=sum(1 for *_, ok in samples if not ok), requests=len(samples),
                per_name={n: (len(v), percentile(v, 50), percentile(v, 99))
                          for n, v in sorted(per_name.items())},
                load=os.getloadavg()[0], started=started_wall,
                finalized=list(world.finalized[finalized_before:]) if world else [])
            steps.append(step)
            print(step.line(), flush=True)
            if not step.holds:
                break
    finally:
        runner.quit()
        gevent.sleep(0.5)
    return steps


def last_holding(steps: list[Step]) -> Step | None:
    holding = [s for s in steps if s.holds]
    return holding[-1] if holding else None


def event_lag(world: World, step: Step) -> dict[str, float] | None:
    """Finalize response -> received_at in audit, for the step's finalizes (ms)."""
    if not step.finalized:
        return None
    wanted = dict(step.finalized)
    owner = GatewayClient(world.owner.token)
    found: dict[str, float] = {}
    since = (step.started - timedelta(seconds=60)).isoformat()
    deadline = time.monotonic() + 60
    while len(found) < len(wanted) and time.monotonic() < deadline:
        cursor = None
        while True:
            params = {"type": "notes.note.finalized", "from": since, "limit": 1000}
            if cursor is not None:
                params["cursor"] = cursor
            body = owner.get("audit", "/events", params=params).json()
            for stored in body["events"]:
                note_id = (stored["event"].get("subject") or {}).get("id")
                if note_id in wanted:
                    received = datetime.fromisoformat(stored["received_at"])
                    if received.tzinfo is None:
                        received = received.replace(tzinfo=UTC)
                    found[note_id] = (received.timestamp() - wanted[note_id]) * 1000
            cursor = body.get("next_cursor")
            if cursor is None or not body["events"]:
                break
        if len(found) < len(wanted):
            time.sleep(1)
    lags = list(found.values())
    return {"count": len(wanted), "found": len(found), "p50": percentile(lags, 50),
            "p99": percentile(lags, 99), "max": max(lags) if lags else math.nan}


# ---------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    global WORLD
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", action="store_true", help="PostgreSQL and RabbitMQ (own stack)")
    parser.add_argument("--use-running", action="store_true",
                        help="load the platform already at :8080 (`make run`) instead")
    parser.add_argument("--local-dir", help="with --use-running: its LOCAL_DIR (for the mail)")
    parser.add_argument("--seconds", type=float, default=20, help="measured seconds per step")
    parser.add_argument("--warmup", type=float, default=4, help="unmeasured seconds per step")
    parser.add_argument("--staff", type=int, default=5,
                        help="therapists signed in (the gateway lets 5 passwords be set at once)")
    parser.add_argument("--patients", type=int, default=40, help="patients with a case")
    parser.add_argument("--quick", action="store_true", help="8 s steps, few patients")
    parser.add_argument("--save", action="store_true", help="write bench/results/load-*.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.warmup, args.patients = 8, 2, 10

    started = time.monotonic()
    load_before = os.getloadavg()
    try:
        with platform(args.real, args.use_running, args.local_dir) as stack:
            print("setting up: a practice, its therapists, patients, a recipient", flush=True)
            WORLD = world = setup(stack, args.staff, args.patients)
            print(f"  claims: {'on' if world.recipient else 'left out'}", flush=True)
            baseline = run_steps("baseline GET /api/identity/healthz", Baseline,
                                 BASELINE_RATES, args.seconds, args.warmup, None)
            mix = run_steps("mix", Mix, MIX_RATES, args.seconds, args.warmup, world)
            mix_best, base_best = last_holding(mix), last_holding(baseline)
            lag = event_lag(world, mix_best) if mix_best else None
    except (subprocess.CalledProcessError, requests.RequestException, AssertionError) as err:
        print(f"something broke: {err}", file=sys.stderr)
        return 1
    load_after = os.getloadavg()

    print()
    kind = "PostgreSQL + RabbitMQ" if args.real else "local default: SQLite, filesystem bus"
    print(f"load mix through the gateway ({kind}), p99 limit {P99_LIMIT_MS:.0f} ms")
    print(f"machine: {os.cpu_count()} CPUs, load average before {load_before[0]:.1f}, "
          f"after {load_after[0]:.1f} (1 min); {time.monotonic() - started:.0f} s in all")
    broke = False
    for label, best in (("mix", mix_best), ("baseline healthz", base_best)):
        if best is None:
            print(f"{label}: no step held (p99 over {P99_LIMIT_MS:.0f} ms or failures at the "
                  "lowest rate)")
            steps = mix if label == "mix" else baseline
            broke = broke or (bool(steps) and steps[0].failures > 0)
            continue
        print(f"{label}: {best.requests_s:.1f} req/s sustained ({best.tasks_s:.1f} tasks/s), "
              f"p50 {best.p50:.1f} / p95 {best.p95:.1f} / p99 {best.p99:.1f} ms, "
              f"load average {best.load:.1f}")
    if mix_best:
        print("  per request at that rate: count, p50, p99 (ms)")
        for name, (count, p50, p99) in mix_best.per_name.items():
            print(f"    {name:<24} {count:>6} {p50:>8.1f} {p99:>8.1f}")
    if mix_best and base_best:
        print(f"ratio mix / baseline (req/s): {mix_best.requests_s / base_best.requests_s:.3f}")
    if lag:
        print(f"event lag finalize response -> audit received_at, {lag['found']} of "
              f"{lag['count']} finalizes of that step: p50 {lag['p50']:.0f} ms, "
              f"p99 {lag['p99']:.0f} ms, max {lag['max']:.0f} ms")
        broke = broke or lag["found"] < lag["count"]
    if args.save:
        out = REPO / "bench" / "results" / f"load-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({
            "real": args.real, "lag": lag,
            "mix": [s.__dict__ | {"started": s.started.isoformat()} for s in mix],
            "baseline": [s.__dict__ | {"started": s.started.isoformat(), "finalized": []}
                         for s in baseline]}, indent=2, default=str))
        print(f"saved {out}")
    return 1 if broke else 0


if __name__ == "__main__":
    sys.exit(main())
