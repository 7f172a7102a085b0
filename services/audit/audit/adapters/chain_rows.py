"""Reading the stored chain: records, heads and checkpoints, as the domain's types."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, Select, select
from sqlalchemy.orm import Session

from audit.adapters.tables import audit_events, chain_checkpoints, chain_heads
from audit.domain.chain import ChainHead, ChainRecord
from audit.domain.checkpoints import Checkpoint


def checkpoint_from_row(row: RowMapping) -> Checkpoint:
    return Checkpoint(row["partition"], row["seq"], row["head_hash"], row["taken_at"],
                      row["key_id"], bytes(row["signature"]))


def _only(query: Select, column: Any, wanted: list[int] | None) -> Select:
    return query if wanted is None else query.where(column.in_(wanted))


def stored_records(session: Session, wanted: list[int] | None, *, after: int = 0,
                   upto: int | None = None) -> Iterator[ChainRecord]:
    """Records in chain order, partition by partition (streamed)."""
    query = _only(
        select(audit_events.c.partition, audit_events.c.chain_seq, audit_events.c.envelope,
               audit_events.c.prev_hash, audit_events.c.hash),
        audit_events.c.partition, wanted,
    ).where(audit_events.c.chain_seq > after)
    if upto is not None:
        query = query.where(audit_events.c.chain_seq <= upto)
    query = query.order_by(audit_events.c.partition, audit_events.c.chain_seq)
    for row in session.execute(query.execution_options(yield_per=1000)):
        yield ChainRecord(row.partition, row.chain_seq, json.loads(row.envelope),
                          row.prev_hash, row.hash)


def stored_checkpoints(session: Session, wanted: list[int] | None, *, after: int = 0,
                       upto: int | None = None) -> dict[int, list[Checkpoint]]:
    query = _only(select(chain_checkpoints), chain_checkpoints.c.partition, wanted).where(
        chain_checkpoints.c.seq > after)
    if upto is not None:
        query = query.where(chain_checkpoints.c.seq <= upto)
    found: dict[int, list[Checkpoint]] = defaultdict(list)
    for row in session.execute(query.order_by(chain_checkpoints.c.seq)).mappings():
        found[row["partition"]].append(checkpoint_from_row(row))
    return found


def stored_heads(session: Session, wanted: list[int] | None) -> dict[int, ChainHead]:
    query = _only(select(chain_heads), chain_heads.c.partition, wanted)
    return {row.partition: ChainHead(row.partition, row.seq, row.hash)
            for row in session.execute(query)}


def received_at(session: Session, partition: int, chain_seq: int) -> datetime | None:
    return session.execute(select(audit_events.c.received_at).where(
        audit_events.c.partition == partition, audit_events.c.chain_seq == chain_seq)
    ).scalar()


def record_at(session: Session, partition: int, chain_seq: int) -> tuple[int, str] | None:
    """(global seq, event id) of the record at this place, if there is one."""
    row = session.execute(select(audit_events.c.seq, audit_events.c.event_id).where(
        audit_events.c.partition == partition, audit_events.c.chain_seq == chain_seq)).first()
    return (row.seq, row.event_id) if row else None


def places(session: Session, partition: int) -> Iterator[tuple[int, str, str]]:
    """(chain seq, prev_hash, hash) of every record of the partition."""
    query = select(audit_events.c.chain_seq, audit_events.c.prev_hash, audit_events.c.hash) \
        .where(audit_events.c.partition == partition)
    for row in session.execute(query.execution_options(yield_per=1000)):
        yield row.chain_seq, row.prev_hash, row.hash


def envelope_at(session: Session, partition: int, chain_seq: int) -> dict[str, Any] | None:
    raw = session.execute(select(audit_events.c.envelope).where(
        audit_events.c.partition == partition, audit_events.c.chain_seq == chain_seq)).scalar()
    return json.loads(raw) if raw is not None else None
