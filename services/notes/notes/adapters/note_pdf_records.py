"""Which versions of a note have their PDF in the store, and who is rendering one now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from notes.adapters.tables import note_pdfs
from servicekit.db import insert_on_conflict, rowcount


@dataclass(frozen=True)
class StoredPdf:
    object_key: str
    size_bytes: int


class NotePdfRecords:
    def __init__(self, session: Session) -> None:
        self.session = session

    def rendered(self, note_id: str, version: int) -> StoredPdf | None:
        row = self.session.execute(
            select(note_pdfs.c.object_key, note_pdfs.c.size_bytes)
            .where(_version(note_id, version), note_pdfs.c.rendered_at.is_not(None))
        ).first()
        return StoredPdf(row.object_key, row.size_bytes) if row else None

    def claim(self, org_id: str, note_id: str, version: int, object_key: str, *,
              now: datetime, until: datetime) -> bool:
        """Take the render of this version unless it is rendered or someone's claim is live."""
        inserted = self.session.execute(
            insert_on_conflict(self.session, note_pdfs)
            .values(note_id=note_id, version=version, org_id=org_id, object_key=object_key,
                    claimed_until=until)
            .on_conflict_do_nothing()
            .returning(note_pdfs.c.note_id)
        ).first()
        if inserted is not None:
            return True
        # A claim that outlived its lease belongs to a render that died: take it over.
        taken = self.session.execute(
            update(note_pdfs)
            .where(_version(note_id, version), note_pdfs.c.rendered_at.is_(None),
                   or_(note_pdfs.c.claimed_until.is_(None), note_pdfs.c.claimed_until < now))
            .values(claimed_until=until)
        )
        return rowcount(taken) == 1

    def mark_rendered(self, note_id: str, version: int, size_bytes: int, now: datetime) -> None:
        self.session.execute(
            update(note_pdfs).where(_version(note_id, version))
            .values(size_bytes=size_bytes, rendered_at=now, claimed_until=None))

    def release(self, note_id: str, version: int) -> None:
        self.session.execute(
            update(note_pdfs)
            .where(_version(note_id, version), note_pdfs.c.rendered_at.is_(None))
            .values(claimed_until=None))


def _version(note_id: str, version: int):  # noqa: ANN202 - a SQLAlchemy condition
    return (note_pdfs.c.note_id == note_id) & (note_pdfs.c.version == version)
