"""The hash chain in storage: append under the partition's lock, checkpoint.

Verification lives in ``audit.service_layer.verification`` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from audit.adapters import chain_store
from audit.domain.chain import ChainHead, ChainRecord, append_record, partition_for
from audit.domain.checkpoints import (
    Checkpoint,
    CheckpointPolicy,
    Signer,
    checkpoint_is_due,
    sign_checkpoint,
)
from audit.service_layer.verification import ChainReport, verify_stored_chain

__all__ = ["ChainReport", "ChainSettings", "append_to_chain", "checkpoint_if_due",
           "lock_head", "lock_heads_in_order", "partition_of", "verify_stored_chain"]

lock_head = chain_store.lock_head  # a name of this module: tests watch the order of locks


@dataclass(frozen=True)
class ChainSettings:
    partitions: int
    signer: Signer
    policy: CheckpointPolicy = field(default_factory=CheckpointPolicy)


def partition_of(event: Mapping[str, Any], partitions: int) -> int:
    """Events of one practice share a chain; events of no practice spread by their id."""
    return partition_for(str(event.get("org_id") or event["id"]), partitions)


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
    record = append_record(chain_store.lock_head(session, partition), event)
    chain_store.move_head(session, record.head)
    return record


def checkpoint_if_due(
    session: Session, head: ChainHead, now: datetime, settings: ChainSettings
) -> Checkpoint | None:
    """Sign the head when the policy says so; called under the partition's lock."""
    latest = chain_store.latest_checkpoint(session, head.partition)
    if not checkpoint_is_due(latest, head, now, settings.policy):
        return None
    checkpoint = sign_checkpoint(head, now, settings.signer)
    chain_store.add_checkpoint(session, checkpoint)
    return checkpoint


def checkpoint_policy(every_records: int, every_seconds: float = 1.0) -> CheckpointPolicy:
    return CheckpointPolicy(every_records=every_records, every=timedelta(seconds=every_seconds))
