"""The hash chain in storage: append under the partition's lock, checkpoint.

Verification lives in ``audit.service_layer.verification`` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from audit.adapters.tables import chain_checkpoints, chain_heads
from audit.domain.chain import ChainHead, ChainRecord, append_record, partition_for
from audit.domain.checkpoints import (
    Checkpoint,
    CheckpointPolicy,
    Signer,
    checkpoint_is_due,
    sign_checkpoint,
)
from audit.service_layer.chain_rows import checkpoint_from_row
from audit.service_layer.verification import ChainReport, verify_stored_chain

__all__ = ["ChainReport", "ChainSettings", "append_to_chain", "checkpoint_if_due",
           "lock_head", "lock_heads_in_order", "partition_of", "verify_stored_chain"]

# Per-transaction caches in Session.info; a new unit of work starts with a new session.
_HEADS = "audit.chain_heads"
_CHECKPOINTS = "audit.latest_checkpoints"
_HOOKED = "audit.heads_saved_on_commit"


@dataclass(frozen=True)
class ChainSettings:
    partitions: int
    signer: Signer
    policy: CheckpointPolicy = field(default_factory=CheckpointPolicy)


def partition_of(event: Mapping[str, Any], partitions: int) -> int:
    """Events of one practice share a chain; events of no practice spread by their id."""
    return partition_for(str(event.get("org_id") or event["id"]), partitions)


def lock_head(session: Session, partition: int) -> ChainHead:
    """The partition's head, locked until the transaction ends (PostgreSQL row lock)."""
    # Within one transaction (a consumer batch) the lock is held: the head is read only once.
    heads = session.info.setdefault(_HEADS, {})
    if partition in heads:
        return heads[partition]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Create the head row if this is the partition's first record; a racing replica's row wins.
    session.execute(
        insert(chain_heads)
        .values(partition=partition, seq=0, hash=ChainHead.genesis(partition).hash)
        .on_conflict_do_nothing(index_elements=["partition"])
    )
    row = session.execute(
        select(chain_heads.c.seq, chain_heads.c.hash)
        .where(chain_heads.c.partition == partition)
        .with_for_update()
    ).one()
    heads[partition] = ChainHead(partition, row.seq, row.hash)
    return heads[partition]


def lock_heads_in_order(
    session: Session, events: Iterable[Mapping[str, Any]], partitions: int
) -> None:
    """Lock the heads a batch will append to, lowest partition first.

    Taken one by one in arrival order, two consumer replicas can each hold a head the other
    waits for; PostgreSQL then aborts one batch and both slow to a crawl. In one global
    order, a replica waits at most for the other to commit.
    """
    for partition in sorted({partition_of(e, partitions) for e in events}):
        lock_head(session, partition)


def append_to_chain(session: Session, event: Mapping[str, Any], partitions: int) -> ChainRecord:
    partition = partition_of(event, partitions)
    record = append_record(lock_head(session, partition), event)
    session.info[_HEADS][partition] = record.head
    _save_heads_on_commit(session)
    return record


def _save_heads_on_commit(session: Session) -> None:
    # The heads stay locked until the transaction ends, so writing each one once, just
    # before the commit, is the same as writing it after every record.
    if session.info.get(_HOOKED):
        return
    session.info[_HOOKED] = True

    @event.listens_for(session, "before_commit")
    def _write_heads(session: Session) -> None:
        for head in session.info.get(_HEADS, {}).values():
            session.execute(
                chain_heads.update()
                .where(chain_heads.c.partition == head.partition)
                .values(seq=head.seq, hash=head.hash)
            )


def checkpoint_if_due(
    session: Session, head: ChainHead, now: datetime, settings: ChainSettings
) -> Checkpoint | None:
    """Sign the head when the policy says so; called under the partition's lock."""
    latest = session.info.setdefault(_CHECKPOINTS, {})
    if head.partition not in latest:
        row = session.execute(
            select(chain_checkpoints)
            .where(chain_checkpoints.c.partition == head.partition)
            .order_by(chain_checkpoints.c.seq.desc())
            .limit(1)
        ).mappings().first()
        latest[head.partition] = checkpoint_from_row(row) if row else None
    if not checkpoint_is_due(latest[head.partition], head, now, settings.policy):
        return None
    checkpoint = sign_checkpoint(head, now, settings.signer)
    latest[head.partition] = checkpoint
    session.execute(chain_checkpoints.insert().values(
        partition=checkpoint.partition, seq=checkpoint.seq, head_hash=checkpoint.head_hash,
        taken_at=checkpoint.taken_at, key_id=checkpoint.key_id, signature=checkpoint.signature,
    ))
    return checkpoint


def checkpoint_policy(every_records: int, every_seconds: float = 1.0) -> CheckpointPolicy:
    return CheckpointPolicy(every_records=every_records, every=timedelta(seconds=every_seconds))
