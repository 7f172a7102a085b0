"""A share: documents of one patient sent to one recipient, and its life after sending.

A share is **sent**; the recipient must open it within ``CLAIM_WINDOW`` or it is
**expired**. Opened in time it is **claimed** and stays available for good: there is
deliberately no purge, delete or archive operation, for the sender or the recipient.
The sender may **revoke** it at any time, which stops every later open at once, and may
reshare it (see ``sharing.reshare``), which leaves this one **superseded**.

``sent_at`` is when the link went out: the share's creation, or, when the mail server was
down then, the moment a retry delivered the email (``share_mail``), so that the recipient
always gets the whole window.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from docportal.domain.activity import ActivityKind, ShareActivity
from docportal.domain.clock import as_utc
from docportal.domain.errors import ShareExpired, ShareRevoked, ShareSuperseded

#: The first open must happen at most this long after sending. The boundary is
#: inclusive: an open at exactly ``sent_at + CLAIM_WINDOW`` is still in time.
CLAIM_WINDOW = timedelta(hours=24)


class DisclosurePurpose(StrEnum):
    TREATMENT = "treatment"
    PATIENT_REQUEST = "patient_request"
    LEGAL_REQUEST = "legal_request"
    OTHER = "other"


class ShareStatus(StrEnum):
    SENT = "sent"
    CLAIMED = "claimed"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


@dataclass(eq=False)
class Share:
    id: str
    org_id: str
    patient_id: str
    document_ids: tuple[str, ...]
    recipient_email: str
    purpose: DisclosurePurpose
    purpose_description: str | None
    message: str | None
    shared_by: str
    sent_at: datetime
    token_hash: str
    supersedes_id: str | None = None
    claimed_at: datetime | None = None
    claimed_by: str | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    superseded_by_id: str | None = None
    superseded_at: datetime | None = None
    #: The share email (see ``share_mail``): None while it is still to be delivered.
    mail_sent_at: datetime | None = None
    mail_attempts: int = 0
    mail_next_attempt_at: datetime | None = None
    activity: list[ShareActivity] = field(default_factory=list)

    @property
    def claim_deadline(self) -> datetime:
        return self.sent_at + CLAIM_WINDOW

    def status_at(self, now: datetime) -> ShareStatus:
        # A superseded link points the recipient to the newest email even when it was
        # also revoked, because that newest share is the one that may still work.
        if self.superseded_by_id is not None:
            return ShareStatus.SUPERSEDED
        if self.revoked_at is not None:
            return ShareStatus.REVOKED
        if self.claimed_at is not None:
            return ShareStatus.CLAIMED
        if as_utc(now) > self.claim_deadline:
            return ShareStatus.EXPIRED
        return ShareStatus.SENT

    def claim(self, account_id: str, now: datetime) -> bool:
        """Open the share for its (already verified) recipient; True if this open claimed it."""
        if self.check_open(now) is ShareStatus.CLAIMED:
            return False
        self.claimed_at, self.claimed_by = as_utc(now), account_id
        return True

    def check_open(self, now: datetime) -> ShareStatus:
        """Return the status if the link still opens (sent or claimed), else raise why not."""
        status = self.status_at(now)
        if status is ShareStatus.SUPERSEDED:
            raise ShareSuperseded(
                "This link was replaced by a newer share of the same documents. "
                "Open the link in the most recent email from the sender.",
                {"share_id": self.id},
            )
        if status is ShareStatus.REVOKED:
            raise ShareRevoked(
                "The sender has withdrawn access to these documents. "
                "Contact the sender if you still need them.",
                {"share_id": self.id},
            )
        if status is ShareStatus.EXPIRED:
            raise ShareExpired(
                "This share expired because it was not opened within 24 hours of being "
                "sent. Ask the sender to share it again.",
                {"share_id": self.id, "expired_at": self.claim_deadline.isoformat()},
            )
        return status

    def revoke(self, revoked_by: str, now: datetime) -> bool:
        """Stop all access at once; True if this call revoked it (False: already revoked)."""
        if self.revoked_at is not None:
            return False
        self.revoked_at, self.revoked_by = as_utc(now), revoked_by
        return True

    def record(
        self,
        kind: ActivityKind,
        account_id: str,
        client: str,
        now: datetime,
        document_id: str | None = None,
    ) -> ShareActivity:
        entry = ShareActivity(self.id, kind, document_id, account_id, client, as_utc(now))
        self.activity.append(entry)
        return entry
