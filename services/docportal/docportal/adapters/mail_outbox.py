"""Docportal's mail outbox table (servicekit.mail_outbox): the share emails, one per share.

Read here for a share's sender (how many sends were tried, when the next is) and for the
record of a delivered email (its attempts and the moment it went).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from docportal.adapters.tables import mail_outbox

SHARE_MAIL = "share"


def share_mail_key(share_id: str) -> str:
    return f"{SHARE_MAIL}:{share_id}"


def share_id_of(key: str) -> str:
    return key.split(":", 1)[1]


@dataclass(frozen=True)
class QueuedShareMail:
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None


def queued_share_mail(session: Session, share_id: str) -> QueuedShareMail | None:
    c = mail_outbox.c
    row = session.execute(select(c.attempts, c.next_attempt_at, c.sent_at)
                          .where(c.key == share_mail_key(share_id))).first()
    return QueuedShareMail(row.attempts, row.next_attempt_at, row.sent_at) if row else None
