"""The sender's list of shares in SQL: filters, newest-first pages, view and download counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from docportal.adapters.repository import share_from_row
from docportal.adapters.tables import share_activity, share_documents, shares
from docportal.domain.activity import ActivityKind
from docportal.domain.share_lists import ShareCursor
from docportal.domain.shares import CLAIM_WINDOW, Share, ShareStatus


@dataclass(frozen=True)
class ShareCounts:
    views: int = 0
    downloads: int = 0
    last_opened_at: datetime | None = None


def status_condition(status: ShareStatus, now: datetime) -> Any:
    """``Share.status_at(now) == status`` in SQL (the same precedence, tested against it)."""
    c = shares.c
    live = and_(c.superseded_by_id.is_(None), c.revoked_at.is_(None))
    unclaimed = and_(live, c.claimed_at.is_(None))
    return {
        ShareStatus.SUPERSEDED: c.superseded_by_id.is_not(None),
        ShareStatus.REVOKED: and_(c.superseded_by_id.is_(None), c.revoked_at.is_not(None)),
        ShareStatus.CLAIMED: and_(live, c.claimed_at.is_not(None)),
        ShareStatus.EXPIRED: and_(unclaimed, c.sent_at < now - CLAIM_WINDOW),
        ShareStatus.SENT: and_(unclaimed, c.sent_at >= now - CLAIM_WINDOW),
    }[status]


class SentShares:
    def __init__(self, session: Session) -> None:
        self.session = session

    def page(self, org_id: str, *, sender_id: str | None, patient_id: str | None,
             status: ShareStatus | None, after: ShareCursor | None, limit: int, now: datetime
             ) -> tuple[list[Share], bool]:
        """Up to ``limit`` shares of the practice, newest first, and whether more follow."""
        c = shares.c
        where = [c.org_id == org_id]
        if sender_id is not None:
            where.append(c.shared_by == sender_id)
        if patient_id is not None:
            where.append(c.patient_id == patient_id)
        if status is not None:
            where.append(status_condition(status, now))
        if after is not None:
            where.append(or_(c.sent_at < after.sent_at,
                             and_(c.sent_at == after.sent_at, c.id < after.share_id)))
        rows = self.session.execute(
            select(shares).where(*where).order_by(c.sent_at.desc(), c.id.desc())
            .limit(limit + 1)).all()
        documents = self._document_ids([row.id for row in rows[:limit]])
        return ([share_from_row(row, documents[row.id]) for row in rows[:limit]],
                len(rows) > limit)

    def counts(self, share_ids: list[str]) -> dict[str, ShareCounts]:
        """Views, downloads and the last open of each share, in one query."""
        if not share_ids:
            return {}
        a = share_activity.c
        rows = self.session.execute(
            select(a.share_id, a.kind, func.count(), func.max(a.at))
            .where(a.share_id.in_(share_ids)).group_by(a.share_id, a.kind)).all()
        found: dict[str, dict[str, Any]] = defaultdict(dict)
        for share_id, kind, count, last in rows:
            found[share_id][kind] = (count, last)
        counts = {}
        for share_id, by_kind in found.items():
            views = by_kind.get(str(ActivityKind.VIEWED), (0, None))
            downloads = by_kind.get(str(ActivityKind.DOWNLOADED), (0, None))
            last = max((t for _, t in (views, downloads) if t is not None), default=None)
            counts[share_id] = ShareCounts(views[0], downloads[0], last)
        return counts

    def _document_ids(self, share_ids: list[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        if share_ids:
            d = share_documents.c
            for share_id, document_id in self.session.execute(
                    select(d.share_id, d.document_id).where(d.share_id.in_(share_ids))
                    .order_by(d.share_id, d.position)).all():
                found[share_id].append(document_id)
        return found
