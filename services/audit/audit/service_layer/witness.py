"""The witness: where signed checkpoints and the partition catalog are kept outside the database.

A port with two adapters (``audit.adapters.witness_folder``, ``audit.adapters.witness_s3``),
chosen by configuration. A witness only ever adds entries; verification believes an entry
only when its signature verifies, so the witness needs no secret of its own, only to be out
of reach of whoever can write to the audit database.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from audit.domain.anchors import PartitionCatalog
from audit.domain.checkpoints import Checkpoint


class WitnessUnavailable(Exception):
    """The witness cannot be read or written right now."""

    safe_to_log = True  # says which witness and why, never a secret


class Witness(Protocol):
    #: Where it is, for operators' messages (a folder, or s3://bucket).
    where: str

    def put_checkpoint(self, checkpoint: Checkpoint) -> None: ...

    def put_catalog(self, catalog: PartitionCatalog) -> None: ...

    def checkpoints(self) -> Iterator[Checkpoint]:
        """Every checkpoint ever written, in no particular order."""
        ...

    def latest_catalog(self) -> PartitionCatalog | None: ...
