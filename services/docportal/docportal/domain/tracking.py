"""What the sender sees about a share: its status, every view and download, every refusal."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from docportal.domain.activity import ActivityKind, RefusedAttempt, ShareActivity
from docportal.domain.share_mail import MailStatus, mail_status
from docportal.domain.shares import Share, ShareStatus


@dataclass(frozen=True)
class ShareTracking:
    share_id: str
    status: ShareStatus
    sent_at: datetime
    #: When an unopened share stops working; None once the recipient claimed it.
    claim_deadline: datetime | None
    claimed_at: datetime | None
    revoked_at: datetime | None
    superseded_by_id: str | None
    views: int
    downloads: int
    activity: tuple[ShareActivity, ...]
    mail_status: MailStatus
    #: Sends tried, the sharing request's own included; and the next retry while pending.
    mail_attempts: int
    mail_next_attempt_at: datetime | None
    #: Opens turned away (another account, a dead link), oldest first: the sender and the
    #: practice's security team read them as a story of attempts, apart from the activity.
    refused_attempts: int
    refusals: tuple[RefusedAttempt, ...]


def track_share(
    share: Share, now: datetime, refusals: Iterable[RefusedAttempt] = ()
) -> ShareTracking:
    """Describe the share for its sender at ``now``: activity newest first, refusals oldest."""
    activity = tuple(sorted(share.activity, key=lambda entry: entry.at, reverse=True))
    refused = tuple(sorted(refusals, key=lambda attempt: attempt.at))
    return ShareTracking(
        share_id=share.id,
        status=share.status_at(now),
        sent_at=share.sent_at,
        claim_deadline=None if share.claimed_at else share.claim_deadline,
        claimed_at=share.claimed_at,
        revoked_at=share.revoked_at,
        superseded_by_id=share.superseded_by_id,
        views=sum(entry.kind is ActivityKind.VIEWED for entry in activity),
        downloads=sum(entry.kind is ActivityKind.DOWNLOADED for entry in activity),
        activity=activity,
        mail_status=mail_status(share),
        mail_attempts=share.mail_attempts,
        mail_next_attempt_at=share.mail_next_attempt_at,
        refused_attempts=len(refused),
        refusals=refused,
    )
