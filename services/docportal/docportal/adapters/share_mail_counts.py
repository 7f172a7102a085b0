"""The share mails a practice already sent, as the share limits count them."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docportal.adapters.tables import shares


class ShareMailCounts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def hold(self, org_id: str) -> None:
        """Make the practice's concurrent shares count one after another until commit.

        Without it, replicas answering a burst at once would each count the same mails and
        all pass. PostgreSQL: a transaction-scoped advisory lock per practice; SQLite
        already lets one writer at a time through.
        """
        if self.session.get_bind().dialect.name != "postgresql":
            return
        digest = hashlib.sha256(f"docportal.share_mails:{org_id}".encode()).digest()
        key = int.from_bytes(digest[:8], "big", signed=True)
        self.session.execute(select(func.pg_advisory_xact_lock(key)))

    def sent_by(self, org_id: str, user_id: str, since: datetime) -> list[datetime]:
        """When the staff member's shares and reshares since ``since`` were sent."""
        return list(self.session.execute(select(shares.c.sent_at).where(
            shares.c.org_id == org_id, shares.c.shared_by == user_id,
            shares.c.sent_at > since)).scalars())

    def sent_to(self, org_id: str, recipient_email: str, since: datetime) -> list[datetime]:
        """When the practice's shares to this (normalized) address since ``since`` were sent."""
        return list(self.session.execute(select(shares.c.sent_at).where(
            shares.c.org_id == org_id, shares.c.recipient_email == recipient_email,
            shares.c.sent_at > since)).scalars())
