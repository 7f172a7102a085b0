"""The event backbone end to end: identity's outbox -> relay -> RabbitMQ -> audit's consumer.

Events are committed through identity's real Runtime and UnitOfWork.publish_all in this process;
``identity relay`` and ``audit consume`` run as separate processes, exactly as deployed. The
commit time of each event is taken right after its transaction commits; the stored time is the
``received_at`` audit's handler writes (same machine, same clock).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil
from processes import (
    ServiceProcess,
    queue_counts,
    start,
    wait_for_connections,
    wait_for_consumer,
)
from sandbox import Sandbox
from sqlalchemy import func, select

from audit.adapters.tables import audit_events
from identity.adapters.tables import messaging as identity_messaging
from identity.spec import SPEC as IDENTITY
from servicekit.db import make_engine
from servicekit.messaging.envelope import Actor, Event, Subject, new_event

AUDIT_QUEUE = "audit.all"
STALL_SECONDS = 60  # no progress for this long means something broke


@dataclass(frozen=True)
class PipelineResult:
    events: int
    producer_seconds: float  # first commit to last commit
    relayed_seconds: float  # first commit to the last outbox row marked sent
    total_seconds: float  # first commit to last stored
    latencies_ms: list[float]  # commit -> stored, sorted
    dead_letters: int
    # CPU seconds (user + system) from the first commit to the last stored, per process
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    chain: str = ""  # what `audit verify` said about the stored chain afterwards

    @property
    def events_per_second(self) -> float:
        return self.events / self.total_seconds

    def cpu_line(self) -> str:
        per = {name: seconds * 1000 / self.events for name, seconds in self.cpu_seconds.items()}
        return "   ".join(f"{name} {s:.2f} s" for name, s in per.items()) + (
            f"   (sum {sum(per.values()):.2f} s; PostgreSQL and RabbitMQ not counted)")

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the commit-to-stored latency, in milliseconds."""
        ranked = self.latencies_ms
        return ranked[min(len(ranked) - 1, max(0, round(p / 100 * len(ranked)) - 1))]


def practice_event(org_id: str, system: Actor) -> Event:
    """What identity emits when staff join a practice: a realistic shape and size."""
    user_id = str(uuid.uuid4())
    return new_event(
        "identity.user.created",
        subject=Subject("user", user_id),
        org_id=org_id,
        actor=system,
        data={  # every field identity's definition requires: consumers check them
            "email": f"{user_id[:8]}@bench.example",
            "full_name": "Bench Member",
            "user_type": "PT",
            "kind": "staff",
            "role": "member",
            "status": "active",
            "permissions": ["view_patients"],
            "clinics": [],
            "permission_version": 1,
            "supervising_therapist_id": None,
        },
    )


def commit_events(
    box: Sandbox, count: int, batch: int, rate: float | None, kind: str = "access"
) -> dict[str, datetime]:
    """Publish ``count`` events through identity's outbox; return each one's commit time."""
    runtime = IDENTITY.runtime(
        IDENTITY.load_config(database_url=box.identity_db, bus_url=box.bus_url)
    )
    org_id, system = str(uuid.uuid4()), Actor(id="bench", kind="system")
    make_event = EVENT_KINDS[kind]
    committed: dict[str, datetime] = {}
    started = time.monotonic()
    try:
        while len(committed) < count:
            if rate:  # pace the producer so latency is measured below saturation
                time.sleep(max(0.0, started + len(committed) / rate - time.monotonic()))
            size = min(batch, count - len(committed))
            events = [make_event(org_id, system) for _ in range(size)]
            with runtime.uow() as uow:
                uow.publish_all(events)  # one INSERT: the producer is not what is measured
                uow.commit()
            now = datetime.now(UTC)
            committed.update((event.id, now) for event in events)
    finally:
        runtime.close()
    return committed


def wait_until_stored(box: Sandbox, count: int, children: list[ServiceProcess]) -> None:
    engine = make_engine(box.audit_db)
    stored, last_change = -1, time.monotonic()
    count_stored = select(func.count()).select_from(audit_events)
    try:
        while True:
            with engine.connect() as conn:
                now_stored = conn.execute(count_stored).scalar_one()
            if now_stored >= count:
                return
            if now_stored != stored:
                stored, last_change = now_stored, time.monotonic()
            for child in children:
                if not child.alive():
                    raise RuntimeError(f"{child.name} exited:\n{child.log_tail()}")
            if time.monotonic() - last_change > STALL_SECONDS:
                dead = queue_counts(box.bus_url, f"{AUDIT_QUEUE}.dead")
                raise RuntimeError(
                    f"stuck at {stored}/{count} stored for {STALL_SECONDS}s; "
                    f"dead letters: {dead[0] if dead else 0}"
                )
            time.sleep(0.05)
    finally:
        engine.dispose()


def _stored_times(box: Sandbox) -> dict[str, datetime]:
    engine = make_engine(box.audit_db)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(audit_events.c.event_id, audit_events.c.received_at))
            return {row.event_id: row.received_at for row in rows}
    finally:
        engine.dispose()


def _last_sent(box: Sandbox) -> datetime:
    engine = make_engine(box.identity_db)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.max(identity_messaging.outbox.c.sent_at))).scalar_one()
    finally:
        engine.dispose()


def access_event(org_id: str, system: Actor) -> Event:
    """A read of staff data: the kind of event audit sees most, with no recognition to run."""
    user_id = str(uuid.uuid4())
    return new_event(
        "identity.user.viewed",
        subject=Subject("user", user_id),
        org_id=org_id,
        actor=system,
        data={"fields": ["email", "user_type", "kind", "role", "status", "permissions"]},
    )


# --kind: which event audit receives. "access" reads dominate real traffic; "staff" events
# (identity.user.created) also run profile recognition and cost audit several times more.
EVENT_KINDS = {"access": access_event, "staff": practice_event}


def run_pipeline(
    box: Sandbox,
    count: int,
    batch: int,
    workdir: Path,
    *,
    rate: float | None = None,
    profile_dir: Path | None = None,
    kind: str = "access",
) -> PipelineResult:
    env = {
        "IDENTITY_DATABASE_URL": box.identity_db,
        "AUDIT_DATABASE_URL": box.audit_db,
        "BUS_URL": box.bus_url,
        "LOCAL_DIR": str(workdir),
        "LOG_LEVEL": "WARNING",
    }
    consumer = start(["audit", "consume"], env, workdir, profile_dir)
    children = [consumer]
    try:
        wait_for_consumer(box.bus_url, AUDIT_QUEUE, consumer, timeout=30)
        children.append(start(["identity", "relay"], env, workdir, profile_dir))
        # Both connected before the first commit, so start-up is not counted as latency.
        wait_for_connections(box.name, 2, children, timeout=30)
        meters = {"producer (this process)": psutil.Process(),
                  "identity relay": psutil.Process(children[1].process.pid),
                  "audit consume": psutil.Process(children[0].process.pid)}
        started = {name: _cpu(meter) for name, meter in meters.items()}
        committed = commit_events(box, count, batch, rate, kind)
        wait_until_stored(box, count, children)
        cpu = {name: _cpu(meter) - started[name] for name, meter in meters.items()}
    finally:
        for child in children:
            child.stop()
    chain = verify_chain(env, workdir)
    stored = _stored_times(box)
    if set(stored) != set(committed):
        raise RuntimeError(f"stored {len(stored)} events, not the {count} committed")
    first_commit, last_commit = min(committed.values()), max(committed.values())
    dead = queue_counts(box.bus_url, f"{AUDIT_QUEUE}.dead")
    return PipelineResult(
        events=count,
        producer_seconds=(last_commit - first_commit).total_seconds(),
        relayed_seconds=(_last_sent(box) - first_commit).total_seconds(),
        total_seconds=(max(stored.values()) - first_commit).total_seconds(),
        latencies_ms=sorted((stored[i] - committed[i]).total_seconds() * 1000 for i in committed),
        dead_letters=dead[0] if dead else 0,
        cpu_seconds=cpu,
        chain=chain,
    )


def verify_chain(env: dict[str, str], workdir: Path) -> str:
    """Run `audit verify` on what the pipeline stored (its key is under LOCAL_DIR)."""
    audit = str(Path(sys.executable).parent / "audit")
    done = subprocess.run([audit, "verify"], env={**os.environ, **env}, cwd=workdir,
                          capture_output=True, text=True, timeout=300)
    said = (done.stdout.strip() or done.stderr.strip()).splitlines()
    if done.returncode != 0:
        raise RuntimeError("audit verify found a break:\n" + "\n".join(said[-10:]))
    return said[0] if said else "intact"


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system
