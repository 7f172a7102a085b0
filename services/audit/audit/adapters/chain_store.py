"""The chain's heads and checkpoints in storage, locked and cached for one transaction.

A head is locked (PostgreSQL row lock; SQLite serializes writers) the first time a
transaction appends to its partition and stays locked until the transaction ends, so it is
read once and written once, just before the commit.
"""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from audit.adapters.chain_rows import checkpoint_from_row
from audit.adapters.tables import chain_checkpoints, chain_heads
from audit.domain.chain import ChainHead
from audit.domain.checkpoints import Checkpoint
from servicekit.db import insert_on_conflict

# Per-transaction caches in Session.info; a new unit of work starts with a new session.
_HEADS = "audit.chain_heads"
_CHECKPOINTS = "audit.latest_checkpoints"
_HOOKED = "audit.heads_saved_on_commit"


def lock_head(session: Session, partition: int) -> ChainHead:
    """The partition's head, locked until the transaction ends."""
    heads = session.info.setdefault(_HEADS, {})
    if partition in heads:
        return heads[partition]
    # Create the head row if this is the partition's first record; a racing replica's wins.
    session.execute(
        insert_on_conflict(session, chain_heads)
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


def move_head(session: Session, head: ChainHead) -> None:
    """The locked head moved on; it is written once, before the transaction commits."""
    session.info[_HEADS][head.partition] = head
    if session.info.get(_HOOKED):
        return
    session.info[_HOOKED] = True

    @event.listens_for(session, "before_commit")
    def _write_heads(session: Session) -> None:
        for moved in session.info.get(_HEADS, {}).values():
            session.execute(
                chain_heads.update()
                .where(chain_heads.c.partition == moved.partition)
                .values(seq=moved.seq, hash=moved.hash)
            )


def latest_checkpoint(session: Session, partition: int) -> Checkpoint | None:
    """The partition's newest checkpoint (read once per transaction)."""
    latest = session.info.setdefault(_CHECKPOINTS, {})
    if partition not in latest:
        row = session.execute(
            select(chain_checkpoints)
            .where(chain_checkpoints.c.partition == partition)
            .order_by(chain_checkpoints.c.seq.desc())
            .limit(1)
        ).mappings().first()
        latest[partition] = checkpoint_from_row(row) if row else None
    return latest[partition]


def add_checkpoint(session: Session, checkpoint: Checkpoint) -> None:
    session.info.setdefault(_CHECKPOINTS, {})[checkpoint.partition] = checkpoint
    session.execute(chain_checkpoints.insert().values(
        partition=checkpoint.partition, seq=checkpoint.seq, head_hash=checkpoint.head_hash,
        taken_at=checkpoint.taken_at, key_id=checkpoint.key_id, signature=checkpoint.signature,
    ))
