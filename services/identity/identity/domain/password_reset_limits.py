"""How often "forgot password" may be asked: per account and per source address.

Per account, at most ``MAILS_PER_ACCOUNT`` reset mails go out in ``ACCOUNT_WINDOW``; further
requests get the same answer as every other, and simply send nothing (a mailbox cannot be
flooded, and the answer still never tells whether the account exists). Per source address,
at most ``REQUESTS_PER_ADDRESS`` requests in ``ADDRESS_WINDOW``, known addresses or not;
past that the address is refused with 429 until its oldest counted request ages out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from identity.domain.clock import require_aware, seconds_until
from identity.domain.errors import ResetRequestsThrottled

MAILS_PER_ACCOUNT = 3
ACCOUNT_WINDOW = timedelta(hours=1)
REQUESTS_PER_ADDRESS = 10
ADDRESS_WINDOW = timedelta(minutes=15)


def may_mail_account(issued: Sequence[datetime], now: datetime) -> bool:
    """True while the account got fewer than three reset links in the last hour."""
    require_aware(now)
    return sum(1 for at in issued if now - ACCOUNT_WINDOW < at <= now) < MAILS_PER_ACCOUNT


def check_reset_requests(requests: Sequence[datetime], now: datetime) -> None:
    """Refuse the address's request when it already asked ten times in fifteen minutes."""
    require_aware(now)
    counted = sorted(at for at in requests if now - ADDRESS_WINDOW < at <= now)
    if len(counted) < REQUESTS_PER_ADDRESS:
        return
    until = counted[-REQUESTS_PER_ADDRESS] + ADDRESS_WINDOW
    wait = max(1, seconds_until(until, now))
    raise ResetRequestsThrottled(
        f"Too many password reset requests from your network. Try again in {wait} "
        "second(s); a link already sent still works for an hour.",
        {"retry_after_seconds": wait})
