"""A live-like audit database with its witness, copies of it, and the attacks on a copy.

The attacker can write to the audit database (any SQL) but holds neither the signing key
nor write access to the witness.
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from audit_harness import SYSTEM, new_id
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from audit.domain.chain import ChainHead, append_record
from audit.service_layer.anchoring import Anchorer
from audit.service_layer.chain import ChainSettings, partition_of
from audit.service_layer.record import record_event
from servicekit.messaging.envelope import Subject, new_event
from servicekit.runtime import Runtime
from servicekit_testing.fixtures import PG_ADMIN_URL


def viewed(org_id: str, n: int):  # noqa: ANN201 - an Event
    return new_event("notes.patient.viewed", subject=Subject("patient", new_id()),
                     org_id=org_id, actor=SYSTEM, data={"n": n})


@dataclass
class Live:
    """The record as a running audit keeps it: consumer batches, anchor passes between."""

    runtime: Runtime
    settings: ChainSettings
    anchorer: Anchorer
    clock: datetime

    def record(self, org_id: str, count: int, batch: int = 30) -> None:
        for start in range(0, count, batch):
            with self.runtime.uow() as uow:
                for n in range(start, min(count, start + batch)):
                    record_event(uow, viewed(org_id, n), self.settings)
                uow.commit()
            self.anchor()

    def anchor(self):  # noqa: ANN201 - the AnchorPass
        # Each pass runs "later" than the last: every partition that moved counts as quiet.
        self.clock += timedelta(minutes=10)
        return self.anchorer.run_once(self.runtime.uow(), self.clock)

    def partition(self, org_id: str) -> int:
        return partition_of({"org_id": org_id}, self.settings.partitions)


def start_clock() -> datetime:
    return datetime.now(UTC)


def copy_database(url: str) -> str:
    """A copy of the (closed) database; the attack happens on the copy."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        target = parsed.database.replace(".db", f"-copy-{uuid.uuid4().hex[:6]}.db")
        shutil.copyfile(parsed.database, target)
        return parsed.set(database=target).render_as_string(hide_password=False)
    name = f"t_copy_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def drop_copy(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        admin.dispose()


class Attacker:
    """SQL on the audit database, nothing else."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)

    def sql(self, statement: str, **params: object) -> list:
        with self.engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return list(result) if result.returns_rows else []

    def newest_seq(self, partition: int) -> int:
        return self.sql("SELECT max(chain_seq) FROM audit_events WHERE partition = :p",
                        p=partition)[0][0]

    def cut_back(self, partition: int, keep: int, *, drop_checkpoints: bool = True) -> None:
        """Delete every record after ``keep`` and rewind the head onto it, tidily."""
        self.sql("DELETE FROM audit_events WHERE partition = :p AND chain_seq > :k",
                 p=partition, k=keep)
        if drop_checkpoints:
            self.sql("DELETE FROM chain_checkpoints WHERE partition = :p AND seq > :k",
                     p=partition, k=keep)
        last = self.sql("SELECT hash FROM audit_events WHERE partition = :p AND chain_seq = :k",
                        p=partition, k=keep)[0][0]
        self.sql("UPDATE chain_heads SET seq = :k, hash = :h WHERE partition = :p",
                 k=keep, h=last, p=partition)

    def rewrite_from(self, partition: int, seq: int) -> None:
        """Change record ``seq`` and recompute every hash after it, head included."""
        rows = self.sql("SELECT chain_seq, envelope, hash FROM audit_events WHERE partition = :p "
                        "ORDER BY chain_seq", p=partition)
        before = {r[0]: r for r in rows}
        head = ChainHead(partition, seq - 1, before[seq - 1][2] if seq > 1 else "0" * 64)
        for chain_seq, envelope, _ in rows:
            if chain_seq < seq:
                continue
            event = json.loads(envelope)
            if chain_seq == seq:
                event["data"]["n"] = -1
            record = append_record(head, event)
            self.sql("UPDATE audit_events SET envelope = :e, prev_hash = :ph, hash = :h "
                     "WHERE partition = :p AND chain_seq = :s", e=json.dumps(event),
                     ph=record.prev_hash, h=record.hash, p=partition, s=chain_seq)
            head = record.head
        self.sql("UPDATE chain_heads SET seq = :s, hash = :h WHERE partition = :p",
                 s=head.seq, h=head.hash, p=partition)

    def close(self) -> None:
        self.engine.dispose()
