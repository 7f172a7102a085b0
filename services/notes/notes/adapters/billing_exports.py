"""The billing export outbox: one row per finalized note, claimed and settled by the worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from notes.adapters.tables import billing_exports, notes
from notes.domain.billing_export import BillingExportStatus
from servicekit.db import rowcount

PENDING, HELD = BillingExportStatus.PENDING.value, BillingExportStatus.HELD.value
SENT, FAILED = BillingExportStatus.SENT.value, BillingExportStatus.FAILED.value
c = billing_exports.c


class BillingExports:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, **row: Any) -> None:
        self.session.execute(billing_exports.insert().values(attempts=0, **row))

    def get(self, export_id: str) -> dict[str, Any] | None:
        row = self.session.execute(select(billing_exports).where(c.id == export_id)
                                   ).mappings().first()
        return dict(row) if row else None

    def claim_next(self, now: datetime, skip: set[str]) -> dict[str, Any] | None:
        """The oldest due pending export, locked so that no other worker takes it now."""
        query = (select(billing_exports)
                 .where(c.status == PENDING, c.next_attempt_at <= now)
                 .order_by(c.next_attempt_at, c.id).limit(1)
                 .with_for_update(skip_locked=True))
        if skip:
            query = query.where(c.id.not_in(skip))
        row = self.session.execute(query).mappings().first()
        return dict(row) if row else None

    def set(self, export_id: str, *, only_if: str | None = None, **values: Any) -> bool:
        """Change one export; with ``only_if``, only while it has that status."""
        query = update(billing_exports).where(c.id == export_id)
        if only_if is not None:
            query = query.where(c.status == only_if)
        changed = rowcount(self.session.execute(query.values(**values))) == 1
        if changed and "status" in values:
            # The note's own view of its export follows the outbox row.
            note_id, finalizer = self.session.execute(
                select(c.note_id, c.finalized_by_id).where(c.id == export_id)).one()
            follows: dict[str, Any] = {"billing_export_status": values["status"]}
            if values["status"] in (PENDING, SENT):  # released: billed under the finalizer
                follows.update(billing_provider_id=finalizer, billing_export_reason=None)
            self.session.execute(update(notes).where(notes.c.id == note_id).values(**follows))
        return changed

    def held_of(self, org_id: str, user_ids: frozenset[str]) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(billing_exports).where(c.org_id == org_id, c.status == HELD,
                                          c.finalized_by_id.in_(sorted(user_ids)))
            .order_by(c.finalized_at, c.id).with_for_update()).mappings().all()
        return [dict(r) for r in rows]

    def listed(self, org_id: str | None, status: str, *, offset: int, limit: int
               ) -> tuple[list[dict[str, Any]], int]:
        """A page of the exports with this status, oldest finalized first."""
        where = [c.status == status] + ([c.org_id == org_id] if org_id else [])
        total = self.session.execute(
            select(func.count()).select_from(billing_exports).where(*where)).scalar_one()
        rows = self.session.execute(
            select(billing_exports).where(*where).order_by(c.finalized_at, c.id)
            .offset(offset).limit(limit)).mappings().all()
        return [dict(r) for r in rows], total
