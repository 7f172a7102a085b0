"""The local witness: append-only JSON-lines files in a folder (LOCAL_DIR/audit-witness).

One file per partition (``checkpoints-p0003.jsonl``) and one for the catalog
(``catalog.jsonl``). Lines are only ever appended (O_APPEND, one write each, well under the
size the kernel writes atomically) and synced. The folder should live where the audit
database's writers cannot reach (another volume, another owner; ``chattr +a`` makes the
files append-only even for their owner).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from audit.domain.anchors import (
    PartitionCatalog,
    catalog_document,
    catalog_from_document,
    checkpoint_document,
    checkpoint_from_document,
)
from audit.domain.checkpoints import Checkpoint
from audit.service_layer.witness import WitnessUnavailable

log = logging.getLogger("audit.witness")

CATALOG_FILE = "catalog.jsonl"
# The newest catalog is the file's last line; reading this much of its end always holds it.
_TAIL_BYTES = 64 * 1024


class FolderWitness:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.where = str(self.folder)

    def put_checkpoint(self, checkpoint: Checkpoint) -> None:
        self._append(f"checkpoints-p{checkpoint.partition:04d}.jsonl",
                     checkpoint_document(checkpoint))

    def put_catalog(self, catalog: PartitionCatalog) -> None:
        self._append(CATALOG_FILE, catalog_document(catalog))

    def checkpoints(self) -> Iterator[Checkpoint]:
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob("checkpoints-p*.jsonl")):
            for doc in _documents(path.read_bytes().splitlines(), path):
                yield checkpoint_from_document(doc)

    def latest_catalog(self) -> PartitionCatalog | None:
        path = self.folder / CATALOG_FILE
        if not path.exists():
            return None
        with path.open("rb") as f:
            f.seek(max(0, path.stat().st_size - _TAIL_BYTES))
            lines = f.read().splitlines()
        docs = list(_documents(lines[-2:], path))
        return catalog_from_document(docs[-1]) if docs else None

    def _append(self, name: str, doc: dict[str, Any]) -> None:
        line = (json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as err:
            raise WitnessUnavailable(f"the witness folder {self.folder} cannot be written: "
                                     f"{err.strerror}") from None


def _documents(lines: list[bytes], path: Path) -> Iterator[dict[str, Any]]:
    for line in lines:
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except ValueError:
            # A line cut short by a crash mid-write; the entry is simply not there.
            log.warning("unreadable line in the audit witness %s", path)
