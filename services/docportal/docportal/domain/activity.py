"""What a recipient did with a share: every view and download, for the sender to see."""

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

MAX_CLIENT_LENGTH = 300
UNKNOWN_CLIENT = "unknown client"


class ActivityKind(StrEnum):
    VIEWED = "viewed"
    DOWNLOADED = "downloaded"


@dataclass(frozen=True)
class ShareActivity:
    """One view or download; ``document_id`` is None when the share's page was viewed."""

    share_id: str
    kind: ActivityKind
    document_id: str | None
    account_id: str
    client: str
    at: datetime


def clean_client_description(client: str | None) -> str:
    """Return a printable, bounded description of the browser (user agent, address).

    The description comes from request headers the client controls, and the sender's
    activity page shows it, so control characters go and the length is capped.
    """
    text = "".join(ch for ch in client or "" if not unicodedata.category(ch).startswith("C"))
    text = " ".join(text.split())[:MAX_CLIENT_LENGTH].strip()
    return text or UNKNOWN_CLIENT


@dataclass(frozen=True)
class RefusedAttempt:
    """An open of a share that was turned away: another account, or a dead link.

    ``reason`` is the refusal's error code (``wrong_recipient``, ``share_expired``, ...);
    ``account_id`` is None when nobody was signed in (a registration from a dead link).
    """

    share_id: str
    reason: str
    account_id: str | None
    document_id: str | None
    client: str
    at: datetime
