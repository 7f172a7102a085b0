"""Audit benchmark: the access report for a user with 100,000 access events, and ingest
with one and with two audit consumer processes sharing audit.all.

    .venv/bin/python bench/audit_reports.py                  # 1,000,000 records (~5 min)
    .venv/bin/python bench/audit_reports.py --records 200000 --user-events 20000 --quick

Runs on this machine's PostgreSQL and RabbitMQ inside throwaway databases and vhosts (see
sandbox.py); everything is dropped at the end. Exits 1 if something broke.

**Report.** The record is loaded with PostgreSQL COPY straight into ``audit_events``, each
row a real envelope chained exactly as ``record_event`` chains it (``append_record`` per
partition, the heads stored), so ``audit verify`` would pass. One user of one practice has
``--user-events`` access events over ``--patients`` patients (viewed, searched, created,
edited, finalized, shared, downloaded); the rest are other users of 50 practices. The
report is then fetched through the audit API (Flask app, a signed token, JSON and CSV),
``--runs`` times each; p50, p99 and max are printed, and for the CSV (streamed) the time to
its first byte. The record is loaded past the ingest, so its access rollups are counted
afterwards with ``audit rollups rebuild``'s recount (timed: the cost of migrations 0011
and 0013 on such a record). Baseline in the same run: the same report recounted from every stored
record, as the service built it before the rollups (``--runs`` times, in the service layer
without the API). A third figure asks for a window whose edges cut days (90 days ending
yesterday afternoon), so part of it comes from the record.

**Ingest.** ``--ingest-events`` access events of 16 practices are committed through
identity's outbox, ``identity relay`` publishes them and 1, then 2, ``audit consume``
processes share ``audit.all``: events/s from the first commit to the last one stored.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519
from jwt.algorithms import OKPAlgorithm
from pipeline import wait_until_stored
from processes import queue_counts, start, wait_for_connections
from sandbox import Sandbox, sandbox
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.adapters.record_store import AuditRecord
from audit.adapters.tables import audit_events, chain_heads
from audit.app import create_app
from audit.domain.access import access_facts_from_event
from audit.domain.chain import ChainHead, append_record, partition_for
from audit.domain.reports import build_user_access_report
from audit.domain.scope import Scope
from audit.service_layer.access_reports import EARLIEST
from audit.service_layer.access_rollups import rebuild_access_rollups
from audit.spec import SPEC as AUDIT
from identity.spec import SPEC as IDENTITY
from servicekit.auth import TokenVerifier
from servicekit.db import make_engine
from servicekit.messaging.envelope import Actor, Subject, decode_event, new_event

PARTITIONS = AUDIT.load_config().chain_partitions
# (event type, subject entity, share of a user's events): roughly a clinician's day.
ACCESS_MIX = (
    ("notes.patient.viewed", "patient", 30), ("notes.note.viewed", "note", 30),
    ("notes.patients.searched", "search", 5), ("notes.note.created", "note", 10),
    ("notes.note.updated", "note", 10), ("notes.note.finalized", "note", 8),
    ("docportal.share.sent", "share", 2), ("docportal.document.downloaded", "document", 5),
)
COPY_COLUMNS = ("event_id", "type", "producer", "org_id", "actor_id", "patient_id",
                "occurred_at", "received_at", "envelope", "partition", "chain_seq",
                "prev_hash", "hash")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="all records (1,000,000)")
    parser.add_argument("--user-events", type=int, default=100_000,
                        help="access events of the reported user (100,000)")
    parser.add_argument("--patients", type=int, default=500, help="patients they touch (500)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per report format")
    parser.add_argument("--ingest-events", type=int, default=10_000,
                        help="events per ingest run (10,000); 0 skips the ingest runs")
    parser.add_argument("--quick", action="store_true",
                        help="2,000 ingest events, for a fast check")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--amqp", default="amqp://guest:guest@127.0.0.1:5672")
    args = parser.parse_args(argv)
    if args.quick:
        args.ingest_events = min(args.ingest_events, 2_000)
    if args.user_events > args.records:
        parser.error("--user-events cannot exceed --records")
    return args


# --- the record ---------------------------------------------------------------------------

def envelope(kind: str, entity: str, org_id: str, actor_id: str, patient_id: str,
             at: datetime, rng: random.Random) -> dict:
    """An access event as the services emit it (the shape ``to_dict`` gives), built fast."""
    data: dict = {}
    if kind.endswith(".searched"):
        data = {"patient_ids": [patient_id], "result_count": 1}
    elif kind == "docportal.share.sent":
        data = {"document_ids": [str(uuid.UUID(int=rng.getrandbits(128)))],
                "recipient_email": "dr.lee@example.org", "purpose": "treatment",
                "record_count": 1}
    return {
        "actor": {"email": None, "id": actor_id, "kind": "staff", "user_type": "PT"},
        "correlation_id": None, "data": data, "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "occurred_at": at.isoformat(), "org_id": org_id,
        "patient_id": None if kind.endswith(".searched") else patient_id,
        "producer": kind.split(".")[0],
        "subject": {"id": str(uuid.UUID(int=rng.getrandbits(128))), "type": entity},
        "type": kind, "version": 1,
    }


def generate(args: argparse.Namespace, org_id: str, user_id: str, now: datetime):
    """Every record, oldest first: the user's events mixed into everyone else's."""
    rng = random.Random(42)
    kinds = [(k, e) for k, e, weight in ACCESS_MIX for _ in range(weight)]
    patients = [f"patient-{i:04d}" for i in range(args.patients)]
    orgs = [org_id] + [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(49)]
    others = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(2_000)]
    span = timedelta(days=365).total_seconds()
    step = span / args.records
    user_every = args.records / args.user_events
    next_user, placed = 0.0, 0
    for i in range(args.records):
        at = now - timedelta(seconds=span - i * step)
        kind, entity = rng.choice(kinds)
        if i >= next_user and placed < args.user_events:
            next_user += user_every
            placed += 1
            yield envelope(kind, entity, org_id, user_id, rng.choice(patients), at, rng)
        else:
            yield envelope(kind, entity, rng.choice(orgs), rng.choice(others),
                           f"patient-x{rng.randrange(200_000)}", at, rng)


def load_record(box: Sandbox, args: argparse.Namespace, org_id: str, user_id: str) -> float:
    """COPY every record into audit_events, chained; return the seconds it took."""
    now = datetime.now(UTC)
    engine = make_engine(box.audit_db)
    heads: dict[int, ChainHead] = {}
    started = time.monotonic()
    sample = True
    raw = engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()
        with cursor.copy(f"COPY audit_events ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
            for body in generate(args, org_id, user_id, now):
                if sample:  # the shape the envelope schema accepts, checked once
                    decode_event(body)
                    sample = False
                partition = partition_for(body["org_id"], PARTITIONS)
                record = append_record(heads.get(partition, ChainHead.genesis(partition)), body)
                heads[partition] = record.head
                at = datetime.fromisoformat(body["occurred_at"])
                copy.write_row((
                    body["id"], body["type"], body["producer"], body["org_id"],
                    body["actor"]["id"], body["patient_id"], at, at,
                    json.dumps(body, sort_keys=True, separators=(",", ":")), partition,
                    record.seq, record.prev_hash, record.hash))
        raw.driver_connection.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.execute(chain_heads.insert(), [
            {"partition": h.partition, "seq": h.seq, "hash": h.hash} for h in heads.values()])
        conn.exec_driver_sql("ANALYZE audit_events")
        stored = conn.execute(select(func.count()).select_from(audit_events)).scalar_one()
    engine.dispose()
    if stored != args.records:
        raise RuntimeError(f"loaded {stored} records, not {args.records}")
    return time.monotonic() - started


@dataclass
class Timing:
    times: list[float]
    size: int
    first_byte: float | None  # p50 seconds to the first byte of a streamed body

    @property
    def p50(self) -> float:
        return statistics.median(self.times)

    @property
    def p99(self) -> float:
        if len(self.times) < 2:
            return self.times[0]
        return statistics.quantiles(self.times, n=100, method="inclusive")[98]


def build_rollups(box: Sandbox) -> float:
    """Count the access rollups of the loaded record, as the migration does; seconds."""
    engine = make_engine(box.audit_db)
    started = time.monotonic()
    try:
        with engine.begin() as conn, Session(bind=conn) as session:
            rebuild_access_rollups(session)
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE access_rollups")
            conn.exec_driver_sql("ANALYZE access_totals")
    finally:
        engine.dispose()
    return time.monotonic() - started


def time_recount(box: Sandbox, args: argparse.Namespace, org_id: str, user_id: str
                 ) -> Timing:
    """The baseline: the report recounted from every stored record (before the rollups)."""
    engine = make_engine(box.audit_db)
    times = []
    try:
        for _ in range(args.runs):
            began = time.perf_counter()
            with Session(engine) as session:
                end = datetime.now(UTC) + timedelta(seconds=1)
                envelopes = AuditRecord(session).access_envelopes(
                    Scope(org_id), actor_id=user_id, start=EARLIEST, end=end)
                report = build_user_access_report(
                    (f for e in envelopes for f in access_facts_from_event(e)), user_id,
                    EARLIEST, end)
            times.append(time.perf_counter() - began)
            if report.total_records != args.user_events:
                raise RuntimeError(f"the recount found {report.total_records} records")
    finally:
        engine.dispose()
    return Timing(times, 0, None)


def time_reports(box: Sandbox, args: argparse.Namespace, org_id: str, user_id: str,
                 workdir: Path) -> dict[str, Timing]:
    """Fetch the user's access report through the API, ``--runs`` times per kind."""
    key = ed25519.Ed25519PrivateKey.generate()
    jwks = {"keys": [{**OKPAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": "b-1"}]}
    verifier = TokenVerifier(issuer="bench", audience="bench", jwks=jwks)
    config = AUDIT.load_config(database_url=box.audit_db, local_dir=workdir)
    app = create_app(config, verifier=verifier)
    client = app.test_client()
    results: dict[str, Timing] = {}
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    cut = (f"&from={(today - timedelta(days=91, hours=-13)).isoformat()}"
           f"&to={(today - timedelta(hours=9)).isoformat()}").replace("+00:00", "Z")
    kinds = {"json": "format=json", "csv": "format=csv", "json 90 days, cut": f"format=json{cut}"}
    for kind, query in kinds.items():
        times, firsts, size = [], [], 0
        for _ in range(args.runs):
            issued = int(time.time())
            token = jwt.encode({"sub": "u-security", "org": org_id, "kind": "staff",
                                "email": "sec@bench.example", "perms": ["view_audit"],
                                "clinics": [], "pv": 1, "iat": issued, "exp": issued + 600,
                                "iss": "bench", "aud": "bench"}, key, algorithm="EdDSA",
                               headers={"kid": "b-1"})
            began = time.perf_counter()
            response = client.get(f"/reports/access?user_id={user_id}&{query}",
                                  headers={"Authorization": f"Bearer {token}"}, buffered=False)
            chunks = iter(response.response)
            body = [next(chunks, b"")]
            firsts.append(time.perf_counter() - began)
            body.extend(chunks)
            times.append(time.perf_counter() - began)
            response.close()
            data = b"".join(c if isinstance(c, bytes) else c.encode() for c in body)
            if response.status_code != 200:
                raise RuntimeError(f"report answered {response.status_code}: "
                                   f"{data[:300].decode(errors='replace')}")
            size = len(data)
            if kind == "json":
                check_report(json.loads(data), args)
        results[kind] = Timing(times, size, statistics.median(firsts)
                               if kind == "csv" else None)
    app.extensions["servicekit.runtime"].close()
    return results


def check_report(report: dict, args: argparse.Namespace) -> None:
    # Searches touch one patient each here, so records == the user's events.
    if report["total_records"] != args.user_events or report["row_count"] > args.patients:
        raise RuntimeError(f"the report counted {report['total_records']} records over "
                           f"{report['row_count']} patients; expected {args.user_events}")


# --- ingest -------------------------------------------------------------------------------

def commit_access_events(box: Sandbox, count: int, batch: int = 100) -> datetime:
    """Commit ``count`` access events of 16 practices through identity's outbox."""
    runtime = IDENTITY.runtime(
        IDENTITY.load_config(database_url=box.identity_db, bus_url=box.bus_url))
    orgs = [str(uuid.uuid4()) for _ in range(16)]
    actor = Actor(id="bench-user", kind="staff")
    first = None
    try:
        for done in range(0, count, batch):
            with runtime.uow() as uow:
                for i in range(done, min(count, done + batch)):
                    uow.publish(new_event(
                        "notes.patient.viewed", subject=Subject("patient", f"p-{i % 997}"),
                        org_id=orgs[i % len(orgs)], actor=actor, patient_id=f"p-{i % 997}"))
                uow.commit()
            first = first or datetime.now(UTC)
    finally:
        runtime.close()
    assert first is not None
    return first


def run_ingest(postgres: str, amqp: str, count: int, consumers: int, workdir: Path
               ) -> tuple[float, int]:
    """(events/s first commit -> last stored, dead letters) with ``consumers`` processes."""
    with sandbox(postgres, amqp) as box:
        env = {"IDENTITY_DATABASE_URL": box.identity_db, "AUDIT_DATABASE_URL": box.audit_db,
               "BUS_URL": box.bus_url, "LOCAL_DIR": str(workdir), "LOG_LEVEL": "WARNING"}
        children = []
        try:
            for n in range(consumers):
                child = start(["audit", "consume"], env, workdir, None)
                child.name = f"audit-consume-{n + 1}"
                children.append(child)
            deadline = time.monotonic() + 60
            while (queue_counts(box.bus_url, "audit.all") or (0, 0))[1] < consumers:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{consumers} consumers did not attach to audit.all")
                time.sleep(0.1)
            children.append(start(["identity", "relay"], env, workdir, None))
            wait_for_connections(box.name, consumers + 1, children, timeout=30)
            first_commit = commit_access_events(box, count)
            wait_until_stored(box, count, children)
        finally:
            for child in children:
                child.stop()
        engine = make_engine(box.audit_db)
        with engine.connect() as conn:
            last = conn.execute(select(func.max(audit_events.c.received_at))).scalar_one()
        engine.dispose()
        dead = queue_counts(box.bus_url, "audit.all.dead")
    return count / (last - first_commit).total_seconds(), dead[0] if dead else 0


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # the migrations' chatter, not the figures
    org_id, user_id = str(uuid.uuid4()), str(uuid.uuid4())
    try:
        with tempfile.TemporaryDirectory() as work:
            with sandbox(args.postgres, args.amqp) as box:
                print(f"sandbox {box.name}: loading {args.records:,} records, "
                      f"{args.user_events:,} of them by one user over {args.patients} "
                      "patients", flush=True)
                loaded = load_record(box, args, org_id, user_id)
                print(f"loaded in {loaded:.1f} s ({args.records / loaded:,.0f} records/s, "
                      "COPY, chained)", flush=True)
                rolled = build_rollups(box)
                print(f"access rollups counted from the record in {rolled:.1f} s", flush=True)
                reports = {"recount from the record (before)":
                           time_recount(box, args, org_id, user_id),
                           **time_reports(box, args, org_id, user_id, Path(work))}
            ingest = [(n, *run_ingest(args.postgres, args.amqp, args.ingest_events, n,
                                      Path(work)))
                      for n in (1, 2) if args.ingest_events]
    except Exception as exc:  # noqa: BLE001 - report what broke, exit 1
        print(f"benchmark failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    out = io.StringIO()
    out.write(f"\naccess report, one user: {args.user_events:,} events, {args.patients} "
              f"patients, {args.records:,} records in total ({args.runs} runs each)\n")
    for kind, timing in reports.items():
        out.write(f"  {kind:<34} p50 {timing.p50 * 1000:7.0f} ms   p99 "
                  f"{timing.p99 * 1000:7.0f} ms   max {max(timing.times) * 1000:7.0f} ms"
                  + (f"   {timing.size:,} bytes" if timing.size else "")
                  + (f"   first byte p50 {timing.first_byte * 1000:.0f} ms"
                     if timing.first_byte is not None else "") + "\n")
    out.write("  goal: p50 < 200 ms, the CSV streamed from the first byte\n")
    for consumers, rate, dead in ingest:
        out.write(f"ingest, {consumers} audit consumer process(es) on audit.all, "
                  f"{args.ingest_events:,} events of 16 practices: {rate:,.0f} events/s"
                  f"{f' ({dead} dead letters)' if dead else ''}\n")
    print(out.getvalue(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
