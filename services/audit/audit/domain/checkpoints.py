"""Signed checkpoints: a periodic, signed statement "partition P had seq N with head H at T".

A hash chain alone cannot tell a rewritten chain (every hash recomputed) or a cut tail
from an honest one. A checkpoint signed with a key the database does not hold can:
the chain must still reach every checkpoint's seq and have the signed hash there.
Records appended after the newest checkpoint are only as safe as the chain itself,
which is why checkpoints are taken often (``CheckpointPolicy``: at least every second while
events flow, and by ``audit checkpoint-worker`` when a partition goes quiet), and copied to
a witness outside the database (``audit.domain.anchors``, ``audit.domain.integrity``).

The domain only knows the ``Signer`` and ``Verifier`` protocols; the Ed25519
implementation lives in ``audit.adapters.signing``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from audit.domain.chain import ChainHead, ChainRecord, ChainWalker, Verification, canonical_bytes
from audit.domain.clock import as_utc


class Signer(Protocol):
    key_id: str

    def sign(self, message: bytes) -> bytes: ...


class Verifier(Protocol):
    def verify(self, key_id: str, message: bytes, signature: bytes) -> bool: ...


@dataclass(frozen=True)
class Checkpoint:
    partition: int
    seq: int
    head_hash: str
    taken_at: datetime
    key_id: str
    signature: bytes


@dataclass(frozen=True)
class CheckpointPolicy:
    every_records: int = 1000
    every: timedelta = timedelta(seconds=1)


def checkpoint_message(partition: int, seq: int, head_hash: str, taken_at: datetime) -> bytes:
    """The exact bytes that are signed: canonical JSON, the time as UTC ISO 8601."""
    return canonical_bytes(
        {
            "partition": partition,
            "seq": seq,
            "head_hash": head_hash,
            "taken_at": as_utc(taken_at, "taken_at").isoformat(),
        }
    )


def sign_checkpoint(head: ChainHead, now: datetime, signer: Signer) -> Checkpoint:
    now = as_utc(now, "now")
    message = checkpoint_message(head.partition, head.seq, head.hash, now)
    return Checkpoint(head.partition, head.seq, head.hash, now, signer.key_id, signer.sign(message))


def checkpoint_is_due(
    last: Checkpoint | None,
    head: ChainHead,
    now: datetime,
    policy: CheckpointPolicy = CheckpointPolicy(),  # noqa: B008 - frozen, so safe to share
) -> bool:
    """True when records were appended since ``last`` and enough records or time passed."""
    if last is None:
        return head.seq > 0
    if head.seq <= last.seq:
        return False
    waited = as_utc(now, "now") - as_utc(last.taken_at, "taken_at")
    return head.seq - last.seq >= policy.every_records or waited >= policy.every


def verify_with_checkpoints(
    records: Iterable[ChainRecord], checkpoints: Iterable[Checkpoint], verifier: Verifier
) -> Verification:
    """Verify the chain from genesis, then that it agrees with every signed checkpoint."""
    by_partition: dict[int, list[Checkpoint]] = defaultdict(list)
    for cp in checkpoints:
        message = checkpoint_message(cp.partition, cp.seq, cp.head_hash, cp.taken_at)
        if not verifier.verify(cp.key_id, message, cp.signature):
            return Verification(
                False,
                (cp.partition, cp.seq),
                f"partition {cp.partition}: "
                f"the checkpoint for seq {cp.seq} has an invalid signature",
            )
        by_partition[cp.partition].append(cp)

    wanted = {(cp.partition, cp.seq) for cps in by_partition.values() for cp in cps}
    seen: dict[tuple[int, int], str] = {}
    walker = ChainWalker()
    for record in records:
        failure = walker.feed(record)
        if failure is not None:
            return failure
        if (record.partition, record.seq) in wanted:
            seen[(record.partition, record.seq)] = record.hash

    for partition, cps in sorted(by_partition.items()):
        head = walker.heads.get(partition, ChainHead.genesis(partition))
        vouched = 0  # the highest seq a checkpoint confirms
        for cp in sorted(cps, key=lambda c: c.seq):
            if cp.seq > head.seq:
                return Verification(
                    False,
                    (partition, head.seq + 1),
                    f"partition {partition}: the chain ends at seq {head.seq} but a checkpoint "
                    f"signed at {cp.taken_at.isoformat()} covers seq {cp.seq}; "
                    "records were removed from the tail",
                    dict(walker.heads),
                )
            actual = seen.get((partition, cp.seq), ChainHead.genesis(partition).hash)
            if actual != cp.head_hash:
                return Verification(
                    False,
                    (partition, vouched + 1),
                    f"partition {partition}: seq {vouched + 1} to {cp.seq} no longer match "
                    f"the checkpoint signed at {cp.taken_at.isoformat()}; the chain was "
                    "rewritten",
                    dict(walker.heads),
                )
            vouched = cp.seq
    return walker.intact()
