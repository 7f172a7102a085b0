"""The share email's delivery: retried with backoff while the mail server is down.

The request that shares is the first attempt. If the mail server is down then, the share is
kept "mail pending" and a retrier (``docportal mail-retry``) tries again after 1 minute, then
2, 4, 8, 16 and every 30 minutes, for as long as the link could still be opened: not claimed,
revoked, superseded or expired.

Only the hash of a link token is kept, so a retry cannot send the old link again: it issues a
new token (the old link was never delivered, so nobody loses anything). The claim window
starts again when a retry delivers the email: the recipient must get their whole 24 hours
from the moment the link reaches them. A share whose email was never delivered expires 24
hours after it was made, which also ends the retries; the sender then sees it expired with
mail pending and reshares it.
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


def retry_delay(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed sends: 1, 2, 4, 8, 16 minutes, then every 30."""
    if attempts < 1:
        raise ValueError(f"a delay follows at least one attempt, got {attempts}")
    return min(FIRST_RETRY_DELAY * 2 ** min(attempts - 1, 10), MAX_RETRY_DELAY)


def first_mail_attempt(share: Share, now: datetime) -> None:
    """Count the sharing request's own send as attempt 1, with the retry already scheduled.

    Scheduling it up front is what keeps a retrier off the share while the request is still
    talking to the mail server, and what picks the share up if that request dies half-way.
    """
    share.mail_attempts = 1
    share.mail_next_attempt_at = as_utc(now) + retry_delay(1)


def mail_status(share: Share) -> MailStatus:
    return MailStatus.PENDING if share.mail_sent_at is None else MailStatus.SENT


def mail_retry_due(share: Share, now: datetime) -> bool:
    """True when the share's email should be tried again at ``now``."""
    now = as_utc(now)
    return (
        share.mail_sent_at is None
        and share.status_at(now) is ShareStatus.SENT
        and (share.mail_next_attempt_at is None or share.mail_next_attempt_at <= now)
    )


def start_mail_retry(share: Share, now: datetime) -> str:
    """Issue a new link token for another attempt and schedule the one after; return the token.

    The next attempt is scheduled before this one is made, so that a retrier that dies
    mid-send, or a second retrier, leaves the share alone until the backoff has passed.
    """
    if not mail_retry_due(share, now):
        raise ValueError(f"share {share.id}'s email is not due for another attempt")
    token = new_share_token()
    share.token_hash = hash_share_token(token)
    share.mail_attempts += 1
    share.mail_next_attempt_at = as_utc(now) + retry_delay(share.mail_attempts)
    return token


def mail_delivered(share: Share, now: datetime) -> None:
    """Record that the email reached the mail server; a retried one restarts the window."""
    now = as_utc(now)
    share.mail_sent_at, share.mail_next_attempt_at = now, None
    if share.mail_attempts > 1:
        # The request's own send happens when the share is made, so its window already
        # started then; a retry's email is the first the recipient can open.
        share.sent_at = now
