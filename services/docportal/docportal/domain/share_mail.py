"""The share email's delivery: queued with the share, retried while the mail server is down.

The email is queued in docportal's mail outbox in the transaction that makes the share, with
its link in it, and tried once right after the commit. If the mail server is down then, the
share stays "mail pending" and ``docportal mail-retry`` tries again after 1 minute, then 2, 4,
8, 16 and every 30 minutes, as long as the link could still be opened: revoking or
resharing withdraws the queued email, and one whose share expired unopened is given up.

The link in a queued email is the share's own (only its hash is on the share), so it works
whenever the email goes. The claim window starts again when a retry delivers the email: the
recipient must get their whole 24 hours from the moment the link reaches them. A share whose
email was never delivered expires 24 hours after it was made, which also ends the retries;
the sender then sees it expired with mail pending and reshares it.
"""

from datetime import datetime, timedelta
from enum import StrEnum

from docportal.domain.clock import as_utc
from docportal.domain.shares import Share, ShareStatus
from docportal.domain.tokens import hash_share_token, new_share_token

FIRST_RETRY_DELAY = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(minutes=30)


class MailStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"


def mail_status(share: Share) -> MailStatus:
    return MailStatus.PENDING if share.mail_sent_at is None else MailStatus.SENT


def mail_send_before(share: Share) -> datetime:
    """An email still unsent then is given up: its share expired unopened."""
    return share.claim_deadline


def mail_delivered(share: Share, now: datetime, attempts: int) -> None:
    """Record that the email reached the mail server on its ``attempts``-th try; a retried
    one restarts the window."""
    now = as_utc(now)
    share.mail_sent_at, share.mail_next_attempt_at = now, None
    share.mail_attempts = attempts
    if attempts > 1:
        # The request's own send happens when the share is made, so its window already
        # started then; a retry's email is the first the recipient can open.
        share.sent_at = now


def awaits_handover(share: Share, now: datetime) -> bool:
    """True for a share the retrier before the mail outbox left pending, still openable."""
    return (share.mail_sent_at is None and share.mail_next_attempt_at is not None
            and share.status_at(now) is ShareStatus.SENT)


def hand_over(share: Share, now: datetime) -> str:
    """Issue a new link for a share left pending before the mail outbox (only the old link's
    hash was kept, and it was never delivered); return its token."""
    if not awaits_handover(share, now):
        raise ValueError(f"share {share.id}'s email is not waiting for a handover")
    token = new_share_token()
    share.token_hash = hash_share_token(token)
    share.mail_next_attempt_at = None
    return token
