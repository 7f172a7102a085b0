"""Tamper evidence: the audit record is a hash chain per partition.

Each record's hash is SHA-256 over the previous hash (64 lower-case hex characters, as
ASCII) followed by the record's canonical bytes: the JSON of {"partition", "seq",
"event"} with sorted keys, no whitespace, UTF-8. Partition and seq are inside the hash,
so a record cannot be moved to another place without breaking it.

Chains are per partition (a small integer) so several consumer replicas can append at
once, each to its own partition or under that partition's lock; there is no global order
to contend for. Seqs start at 1; the first record's previous hash is ``GENESIS_HASH``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

GENESIS_HASH = "0" * 64
_HEX_HASH = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ChainHead:
    """The newest record of a partition: where the next append links to."""

    partition: int
    seq: int
    hash: str

    @classmethod
    def genesis(cls, partition: int) -> ChainHead:
        return cls(partition, 0, GENESIS_HASH)


@dataclass(frozen=True)
class ChainRecord:
    partition: int
    seq: int
    event: Mapping[str, Any]  # the event envelope as JSON-native values
    prev_hash: str
    hash: str

    @property
    def head(self) -> ChainHead:
        return ChainHead(self.partition, self.seq, self.hash)


@dataclass(frozen=True)
class Verification:
    intact: bool
    first_bad: tuple[int, int] | None  # (partition, seq) of the first seq not vouched for
    reason: str
    heads: Mapping[int, ChainHead] = field(default_factory=dict)


def canonical_bytes(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8; NaN and non-JSON types refused."""
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def record_hash(prev_hash: str, partition: int, seq: int, event: Mapping[str, Any]) -> str:
    if not _HEX_HASH.match(prev_hash):
        raise ValueError(f"previous hash must be 64 lower-case hex characters, got {prev_hash!r}")
    body = canonical_bytes({"partition": partition, "seq": seq, "event": event})
    return hashlib.sha256(prev_hash.encode("ascii") + body).hexdigest()


def append_record(head: ChainHead, event: Mapping[str, Any]) -> ChainRecord:
    """The record that follows ``head``; the caller stores it and its ``.head`` moves on."""
    seq = head.seq + 1
    digest = record_hash(head.hash, head.partition, seq, event)
    return ChainRecord(head.partition, seq, event, head.hash, digest)


def partition_for(key: str, partitions: int) -> int:
    """A stable partition for ``key`` (e.g. an org id); Python's hash() changes per process."""
    if partitions < 1:
        raise ValueError("there must be at least one partition")
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % partitions


class ChainWalker:
    """Checks records one at a time, in stored order, keeping each partition's head.

    Streaming, so a verification of millions of records holds one head per partition.
    """

    def __init__(self, start: Mapping[int, ChainHead] | None = None) -> None:
        self.heads: dict[int, ChainHead] = dict(start or {})

    def feed(self, record: ChainRecord) -> Verification | None:
        """None when ``record`` extends its partition correctly, else the failure."""
        p = record.partition
        head = self.heads.get(p, ChainHead.genesis(p))
        expected = head.seq + 1
        if record.seq != expected:
            return self._bad(
                p,
                expected,
                f"partition {p}: expected seq {expected} after "
                f"{head.seq}, found {record.seq} (a deleted or reordered record)",
            )
        if record.prev_hash != head.hash:
            return self._bad(
                p,
                expected,
                f"partition {p}: seq {expected} does not link to "
                f"seq {head.seq} (a record before it was altered or replaced)",
            )
        if record_hash(record.prev_hash, p, record.seq, record.event) != record.hash:
            return self._bad(
                p,
                expected,
                f"partition {p}: seq {expected} was altered; its content does not match its hash",
            )
        self.heads[p] = record.head
        return None

    def _bad(self, partition: int, seq: int, reason: str) -> Verification:
        return Verification(False, (partition, seq), reason, dict(self.heads))

    def intact(self) -> Verification:
        return Verification(True, None, "intact", dict(self.heads))


def verify_chain(
    records: Iterable[ChainRecord], start: Mapping[int, ChainHead] | None = None
) -> Verification:
    """Verify records in stored order; ``start`` resumes from already verified heads."""
    walker = ChainWalker(start)
    for record in records:
        failure = walker.feed(record)
        if failure is not None:
            return failure
    return walker.intact()
