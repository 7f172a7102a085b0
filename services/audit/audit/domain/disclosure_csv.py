"""CSV rendering of the accounting of disclosures, one row per disclosure, oldest first."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from audit.domain.disclosures import DisclosureAccounting
from audit.domain.report_csv import safe_cell

COLUMNS = (
    "disclosed_at", "share_id", "recipient_email", "description", "document_ids", "purpose",
    "purpose_description", "shared_by", "reshare_of", "claimed", "claimed_at", "viewed",
    "views", "first_viewed_at", "downloaded", "downloads", "first_downloaded_at", "revoked",
    "revoked_at",
)


def render_disclosures_csv(accounting: DisclosureAccounting) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for d in accounting.disclosures:
        writer.writerow([
            _time(d.disclosed_at), safe_cell(d.share_id), safe_cell(d.recipient_email),
            safe_cell(d.description), safe_cell(" ".join(doc.id for doc in d.documents)),
            safe_cell(d.purpose), safe_cell(d.purpose_description or ""),
            safe_cell(d.shared_by or ""), safe_cell(d.reshare_of or ""),
            _yes(d.claimed_at is not None), _time(d.claimed_at), _yes(d.views > 0), d.views,
            _time(d.first_viewed_at), _yes(d.downloads > 0), d.downloads,
            _time(d.first_downloaded_at), _yes(d.revoked_at is not None), _time(d.revoked_at),
        ])
    return out.getvalue()


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _time(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""
