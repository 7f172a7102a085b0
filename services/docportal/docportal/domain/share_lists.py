"""A sender's list of their shares: whose shares a caller may list, pages, and each line.

Staff list the shares they sent themselves. A User Manager (``manage_users``) may list
another staff member's shares or the whole practice's: when someone leaves the practice,
their live shares can be found and revoked although nobody kept the share ids.

Pages are newest first by ``(sent_at, id)``; the cursor is that pair of the page's last
share, opaque to the client. A forged cursor only moves where a page of the caller's own
practice starts, so it reveals nothing.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from docportal.domain.clock import as_utc
from docportal.domain.errors import InvalidShareCursor, ShareListRefused
from docportal.domain.share_mail import MailStatus, mail_status
from docportal.domain.shares import Share, ShareStatus

MANAGE_USERS = "manage_users"
#: ``sender`` values: the caller's own shares (the default), or the whole practice's.
MINE, EVERYONE = "me", "all"
MAX_ID_LENGTH = 64


def sender_filter(caller_id: str, permissions: frozenset[str], sender: str | None) -> str | None:
    """The sender whose shares the caller lists (None: every sender of the practice)."""
    wanted = caller_id if sender in (None, "", MINE) else sender
    if wanted == caller_id:
        return caller_id
    if MANAGE_USERS not in permissions:
        raise ShareListRefused(
            "Only a User Manager lists other staff members' shares; leave out sender to "
            "list the shares you sent.",
            {"sender": sender, "permission": MANAGE_USERS})
    return None if wanted == EVERYONE else wanted


@dataclass(frozen=True)
class ShareCursor:
    """Where the next page starts: after this share in newest-first order."""

    sent_at: datetime
    share_id: str

    def encode(self) -> str:
        raw = f"{as_utc(self.sent_at).isoformat()}|{self.share_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> ShareCursor:
        """Read a cursor the list handed out; anything else is refused (422), never a 500."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
            when, share_id = raw.split("|")
            sent_at = as_utc(datetime.fromisoformat(when))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise InvalidShareCursor(
                "This cursor is not one the share list gave out; leave it out to start from "
                "the newest share.", {"cursor": text[:100]}) from None
        if not share_id or len(share_id) > MAX_ID_LENGTH:
            raise InvalidShareCursor(
                "This cursor is not one the share list gave out; leave it out to start from "
                "the newest share.", {"cursor": text[:100]})
        return cls(sent_at, share_id)


@dataclass(frozen=True)
class SentShareLine:
    """One share in the sender's list: where it stands and how often it was opened."""

    share: Share
    status: ShareStatus
    mail_status: MailStatus
    views: int
    downloads: int
    last_opened_at: datetime | None


def share_line(share: Share, now: datetime, *, views: int, downloads: int,
               last_opened_at: datetime | None) -> SentShareLine:
    return SentShareLine(share, share.status_at(now), mail_status(share), views, downloads,
                         last_opened_at)
