"""How many share mails may go out: per sender, and per recipient address of a practice.

Each share and each reshare sends one email with a link to an address outside the practice.
Unchecked, a stolen staff session or a script could flood a physician's or an attorney's
mailbox in seconds. A person at the front desk shares a handful of times in ten minutes;
these limits sit well above that and far below a flood. The counts come from the shares
already stored (their ``sent_at``), so they hold across every replica of the service.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from docportal.domain.clock import as_utc
from docportal.domain.errors import TooManyShares

#: Share mails one staff member may send (shares and reshares together) ...
SHARES_PER_SENDER = 10
#: ... within this sliding window.
SENDER_WINDOW = timedelta(minutes=10)
#: Share mails a practice may send to one recipient address ...
SHARES_PER_RECIPIENT = 5
#: ... within this sliding window.
RECIPIENT_WINDOW = timedelta(hours=1)




@dataclass(frozen=True)
class ShareLimits:
    """The limits in force: the constants above unless the operator configured others."""

    per_sender: int = SHARES_PER_SENDER
    sender_window: timedelta = SENDER_WINDOW
    per_recipient: int = SHARES_PER_RECIPIENT
    recipient_window: timedelta = RECIPIENT_WINDOW


def check_share_mail_allowed(
    *, sent_by_sender: Sequence[datetime], sent_to_recipient: Sequence[datetime],
    now: datetime, limits: ShareLimits = ShareLimits(),
) -> None:
    """Raise TooManyShares when one more share mail would pass either limit."""
    now = as_utc(now)
    _check(sent_by_sender, limits.per_sender, limits.sender_window, now, "sender",
           "You have sent {limit} shares in the last {window}, the most allowed. ")
    _check(sent_to_recipient, limits.per_recipient, limits.recipient_window, now, "recipient",
           "Your practice has sent {limit} shares to this address in the last {window}, "
           "the most allowed. If the documents belong together, add them to one share. ")


def _check(sent: Sequence[datetime], limit: int, window: timedelta, now: datetime,
           scope: str, reason: str) -> None:
    # A mail stamped after ``now`` still counts: a request that started earlier may commit
    # after one that started later.
    counted = sorted(at for at in map(as_utc, sent) if at > now - window)
    if len(counted) < limit:
        return
    # The wait ends when the oldest mail that keeps the count at the limit leaves the window.
    frees_at = counted[-limit] + window
    wait = max(1, math.ceil((frees_at - now).total_seconds()))
    raise TooManyShares(
        reason.format(limit=limit, window=_spoken(window).removeprefix("1 "))
        + f"Try again in {_spoken(timedelta(seconds=wait))} "
        f"(after {frees_at:%H:%M} UTC).",
        {"limit": limit, "window_seconds": int(window.total_seconds()), "per": scope,
         "retry_after_seconds": wait, "retry_at": frees_at.isoformat()},
    )


def _spoken(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
