"""What is anchored outside the database: signed checkpoints and the signed partition catalog.

A checkpoint says "partition P had seq N with head H at T"; the catalog says "at T these
partitions existed and had reached these seqs". Both are signed with the checkpoint key
(which the database never holds) and written to a witness the database cannot rewrite.
The documents here are the JSON shape the witness stores and the bus carries; a witness
entry is believed only when its signature verifies.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from audit.domain.chain import ChainHead, canonical_bytes
from audit.domain.checkpoints import Checkpoint, Signer, Verifier, checkpoint_message
from audit.domain.clock import as_utc


@dataclass(frozen=True)
class PartitionCatalog:
    """Which partitions existed at ``taken_at`` and the head each had reached (anchored)."""

    taken_at: datetime
    heads: Mapping[int, ChainHead]
    key_id: str
    signature: bytes


def catalog_message(taken_at: datetime, heads: Mapping[int, ChainHead]) -> bytes:
    return canonical_bytes({
        "catalog": {str(p): {"seq": h.seq, "head_hash": h.hash} for p, h in heads.items()},
        "taken_at": as_utc(taken_at, "taken_at").isoformat(),
    })


def sign_catalog(heads: Mapping[int, ChainHead], now: datetime, signer: Signer) -> PartitionCatalog:
    now = as_utc(now, "now")
    heads = dict(sorted(heads.items()))
    return PartitionCatalog(now, heads, signer.key_id, signer.sign(catalog_message(now, heads)))


def catalog_is_genuine(catalog: PartitionCatalog, verifier: Verifier) -> bool:
    message = catalog_message(catalog.taken_at, catalog.heads)
    return verifier.verify(catalog.key_id, message, catalog.signature)


def checkpoint_is_genuine(checkpoint: Checkpoint, verifier: Verifier) -> bool:
    cp = checkpoint
    message = checkpoint_message(cp.partition, cp.seq, cp.head_hash, cp.taken_at)
    return verifier.verify(cp.key_id, message, cp.signature)


def checkpoint_document(cp: Checkpoint) -> dict[str, Any]:
    """The checkpoint as the witness stores it and ``audit.checkpoint.signed`` carries it."""
    return {"partition": cp.partition, "seq": cp.seq, "head_hash": cp.head_hash,
            "taken_at": as_utc(cp.taken_at, "taken_at").isoformat(), "key_id": cp.key_id,
            "signature": base64.b64encode(cp.signature).decode("ascii")}


def checkpoint_from_document(doc: Mapping[str, Any]) -> Checkpoint:
    return Checkpoint(int(doc["partition"]), int(doc["seq"]), str(doc["head_hash"]),
                      datetime.fromisoformat(doc["taken_at"]), str(doc["key_id"]),
                      base64.b64decode(doc["signature"]))


def catalog_document(catalog: PartitionCatalog) -> dict[str, Any]:
    return {"taken_at": as_utc(catalog.taken_at, "taken_at").isoformat(),
            "partitions": {str(p): {"seq": h.seq, "head_hash": h.hash}
                           for p, h in catalog.heads.items()},
            "key_id": catalog.key_id,
            "signature": base64.b64encode(catalog.signature).decode("ascii")}


def catalog_from_document(doc: Mapping[str, Any]) -> PartitionCatalog:
    heads = {int(p): ChainHead(int(p), int(h["seq"]), str(h["head_hash"]))
             for p, h in doc["partitions"].items()}
    return PartitionCatalog(datetime.fromisoformat(doc["taken_at"]), heads, str(doc["key_id"]),
                            base64.b64decode(doc["signature"]))
