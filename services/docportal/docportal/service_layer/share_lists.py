"""The sender's list of their shares, each with where it stands and how often it was opened."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from docportal.adapters.share_lists import SentShares, ShareCounts
from docportal.domain.share_lists import (
    SentShareLine,
    ShareCursor,
    sender_filter,
    share_line,
)
from docportal.domain.shares import ShareStatus
from docportal.events.shares import SHARES_VIEWED
from docportal.service_layer.callers import Staff
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject


def list_sent_shares(
    uow: UnitOfWork, staff: Staff, *, now: datetime, limit: int, sender: str | None = None,
    patient_id: str | None = None, status: ShareStatus | None = None,
    cursor: str | None = None,
) -> tuple[list[SentShareLine], str | None]:
    """A page of shares, newest first, and the cursor of the next page (None at the end).

    Each line says which patient's documents went to whom: every patient on the page is
    recorded as an access (``docportal.shares.viewed``), as the documents list is.
    """
    sender_id = sender_filter(staff.user_id, staff.permissions, sender)
    after = ShareCursor.decode(cursor) if cursor else None
    with uow:
        sent = SentShares(uow.session)
        found, more = sent.page(staff.org_id, sender_id=sender_id, patient_id=patient_id,
                                status=status, after=after, limit=limit, now=now)
        counts = sent.counts([share.id for share in found])
        by_patient: dict[str, list[str]] = defaultdict(list)
        for share in found:
            by_patient[share.patient_id].append(share.id)
        for listed_patient, share_ids in by_patient.items():
            uow.publish(SHARES_VIEWED.event(
                subject=Subject("patient", listed_patient),
                org_id=staff.org_id, actor=staff.actor(), patient_id=listed_patient,
                occurred_at=now, data={"share_ids": share_ids, "record_count": len(share_ids)}))
        uow.commit()
    lines = []
    for share in found:
        seen = counts.get(share.id, ShareCounts())
        lines.append(share_line(share, now, views=seen.views, downloads=seen.downloads,
                                last_opened_at=seen.last_opened_at))
    next_cursor = ShareCursor(found[-1].sent_at, found[-1].id).encode() if more else None
    return lines, next_cursor
