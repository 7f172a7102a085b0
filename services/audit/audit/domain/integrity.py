"""Judging one partition of the record against what the database and the witness say.

The database holds the records, the partition's head and its own signed checkpoints; the
witness (outside the database) holds copies of every anchored checkpoint and the signed
partition catalog. A chain that is consistent in itself can still have been cut short,
rewritten with recomputed hashes or deleted whole: only the witness can tell, because the
key that signs it is not in the database and the database cannot rewrite it.

Each break names the first chain seq it leaves unvouched and what kind of change it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from audit.domain.anchors import checkpoint_is_genuine
from audit.domain.chain import GENESIS_HASH, ChainHead, ChainRecord, record_hash
from audit.domain.checkpoints import Checkpoint, Verifier


class BreakKind(StrEnum):
    EDITED = "edited"  # content changed, or the chain rewritten with recomputed hashes
    DELETED = "deleted"  # a record missing from the middle of the chain
    REORDERED = "reordered"  # a genuine record stored at another place
    TRUNCATED = "truncated"  # the chain ends before what the database itself claims
    PARTITION_MISSING = "partition_missing"  # the witness knows it, the database does not
    CHECKPOINT_MISSING = "checkpoint_missing"  # a witnessed checkpoint gone, or none taken
    CHECKPOINT_FORGED = "checkpoint_forged"  # a signature that does not verify
    ROLLED_BACK = "rolled_back"  # consistent in itself, but behind what the witness saw


@dataclass(frozen=True)
class Break:
    partition: int
    seq: int  # the first chain seq not vouched for
    kind: BreakKind
    reason: str


@dataclass
class Walk:
    """One partition's records walked from genesis: how far they verify, and where not."""

    partition: int
    head: ChainHead
    broken: Break | None = None
    records: int = 0
    hashes: dict[int, str] = field(default_factory=dict)  # seq -> hash, at the seqs asked for


def walk_partition(partition: int, records: Iterable[ChainRecord], wanted: set[int],
                   start: ChainHead | None = None) -> Walk:
    """Verify the chain of ``partition`` from genesis (or from ``start``, verified before);
    keep the hashes at ``wanted`` seqs."""
    start = start or ChainHead.genesis(partition)
    walk = Walk(partition, start, hashes={0: GENESIS_HASH, start.seq: start.hash})
    for record in records:
        walk.records += 1
        if walk.broken is None:
            walk.broken = _step(walk, record)
            if walk.broken is None and record.seq in wanted:
                walk.hashes[record.seq] = record.hash
    return walk


def _step(walk: Walk, record: ChainRecord) -> Break | None:
    p, head = walk.partition, walk.head
    expected = head.seq + 1
    if record.seq != expected:
        return Break(p, expected, BreakKind.DELETED,
                     f"partition {p}: seq {expected} to {record.seq - 1} are missing "
                     "(deleted records)")
    if record_hash(record.prev_hash, p, record.seq, record.event) != record.hash:
        return Break(p, record.seq, BreakKind.EDITED,
                     f"partition {p}: seq {record.seq} was altered; its content does not "
                     "match its hash")
    if record.prev_hash != head.hash:
        place = max(head.seq, 1)
        return Break(p, place, BreakKind.EDITED,
                     f"partition {p}: seq {place} was rewritten with a recomputed hash; "
                     f"seq {record.seq} no longer links to it")
    walk.head = record.head
    return None


def fits_elsewhere(event: Mapping[str, Any], partition: int,
                   places: Iterable[tuple[int, str, str]], here: int) -> int | None:
    """The other seq whose stored (prev_hash, hash) this content belongs to: a moved record."""
    for seq, prev_hash, digest in places:
        if seq != here and record_hash(prev_hash, partition, seq, event) == digest:
            return seq
    return None


def as_reordered(broken: Break, origin: int) -> Break:
    return Break(broken.partition, broken.seq, BreakKind.REORDERED,
                 f"partition {broken.partition}: seq {broken.seq} holds the record of seq "
                 f"{origin} (records were swapped or moved)")


@dataclass(frozen=True)
class Evidence:
    """What the database and the witness say about one partition besides its records."""

    partition: int
    head: ChainHead | None  # the database's head row
    checkpoints: Sequence[Checkpoint]  # the database's own
    witnessed: Sequence[Checkpoint]  # the witness's copies
    catalog_head: ChainHead | None = None  # the newest signed catalog's entry


def judge_partition(
    walk: Walk, evidence: Evidence, verifier: Verifier, *, now: datetime,
    grace: timedelta, received_at: Callable[[int], datetime | None],
) -> list[Break]:
    """Every break of one partition, the first (lowest seq, gravest kind) first."""
    p = walk.partition
    found: list[Break] = [] if walk.broken is None else [walk.broken]
    own = _genuine(evidence.checkpoints, verifier, found, "the database's")
    seen = _genuine(evidence.witnessed, verifier, found, "the witness's")
    references = sorted([*seen, *_catalog_reference(evidence.catalog_head)],
                        key=lambda c: c.seq)
    if walk.records == 0 and references:
        newest = references[-1]
        found.append(Break(p, 1, BreakKind.PARTITION_MISSING,
                           f"partition {p}: the witness saw it reach seq {newest.seq} "
                           f"(signed {newest.taken_at.isoformat()}) but the database has no "
                           "record of it; the partition was deleted"))
        return _ordered(found)
    limit = walk.broken.seq if walk.broken else None
    _check_head(walk, evidence.head, found)
    _check_against(walk, own, limit, found, behind=BreakKind.TRUNCATED,
                   source="the database's own checkpoint", behind_words="records were "
                   "removed from the tail")
    _check_against(walk, references, limit, found, behind=BreakKind.ROLLED_BACK,
                   source="the witnessed checkpoint", behind_words="the partition was put "
                   "back to an earlier state")
    held = {cp.seq for cp in evidence.checkpoints}
    for cp in seen:
        if cp.seq not in held:
            found.append(Break(p, cp.seq, BreakKind.CHECKPOINT_MISSING,
                               f"partition {p}: the database lost its checkpoint for seq "
                               f"{cp.seq}, which the witness holds"))
    anchored = references[-1].seq if references else 0
    if walk.broken is None and walk.head.seq > anchored:
        oldest = received_at(anchored + 1)
        if oldest is not None and now - oldest > grace:
            found.append(Break(p, anchored + 1, BreakKind.CHECKPOINT_MISSING,
                               f"partition {p}: seq {anchored + 1} to {walk.head.seq} (the "
                               f"oldest received {oldest.isoformat()}) are in no witnessed "
                               "checkpoint; is `audit checkpoint-worker` running?"))
    return _ordered(found)


def _genuine(checkpoints: Iterable[Checkpoint], verifier: Verifier, found: list[Break],
             whose: str) -> list[Checkpoint]:
    good = []
    for cp in checkpoints:
        if checkpoint_is_genuine(cp, verifier):
            good.append(cp)
        else:
            found.append(Break(cp.partition, cp.seq, BreakKind.CHECKPOINT_FORGED,
                               f"partition {cp.partition}: {whose} checkpoint for seq {cp.seq} "
                               f"has an invalid signature (key {cp.key_id})"))
    return sorted(good, key=lambda c: c.seq)


def _catalog_reference(head: ChainHead | None) -> list[Checkpoint]:
    if head is None or head.seq == 0:
        return []
    # Only its seq and hash are compared; the catalog's own signature was checked already.
    return [Checkpoint(head.partition, head.seq, head.hash, _CATALOG_TIME, "catalog", b"")]


_CATALOG_TIME = datetime.fromisoformat("1970-01-01T00:00:00+00:00")


def _check_head(walk: Walk, head: ChainHead | None, found: list[Break]) -> None:
    if head is None or walk.broken is not None:
        return
    p, end = walk.partition, walk.head
    if head.seq > end.seq:
        found.append(Break(p, end.seq + 1, BreakKind.TRUNCATED,
                           f"partition {p}: the chain ends at seq {end.seq} but its head says "
                           f"{head.seq}; records were removed from the tail"))
    elif head != end:
        found.append(Break(p, min(head.seq, end.seq) + 1, BreakKind.EDITED,
                           f"partition {p}: its head (seq {head.seq}) does not match the "
                           f"chain's end (seq {end.seq})"))


def _check_against(walk: Walk, checkpoints: Sequence[Checkpoint], limit: int | None,
                   found: list[Break], *, behind: BreakKind, source: str,
                   behind_words: str) -> None:
    p, end, vouched = walk.partition, walk.head, 0
    for cp in checkpoints:
        if limit is not None and cp.seq >= limit:
            return  # past the first record-level break, nothing more can be compared
        if cp.seq > end.seq:
            found.append(Break(p, end.seq + 1, behind,
                               f"partition {p}: the chain ends at seq {end.seq} but {source} "
                               f"covers seq {cp.seq}; {behind_words}"))
            return
        if walk.hashes.get(cp.seq) != cp.head_hash:
            found.append(Break(p, vouched + 1, BreakKind.EDITED,
                               f"partition {p}: seq {vouched + 1} to {cp.seq} no longer match "
                               f"{source} for seq {cp.seq}; the chain was rewritten"))
            return
        vouched = cp.seq


_GRAVITY = list(BreakKind)


def _ordered(found: list[Break]) -> list[Break]:
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda b: (b.seq, _GRAVITY.index(b.kind)))
