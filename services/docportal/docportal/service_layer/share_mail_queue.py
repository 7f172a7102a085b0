"""The share email in docportal's mail outbox: queued with the share, sent right after the
commit, retried by ``docportal mail-retry`` (servicekit.mail_delivery), recorded on the share
when it goes.

Decision: the queued email holds the share's link, as identity's and notes' mails do, rather
than a new link minted at each attempt. The share keeps only the link's hash, so the link in
the queue is the one that opens the share whenever the email goes; revoking or resharing
withdraws the queued email in its own transaction, and the outbox gives it up once the share
expired unopened (``send_before``). The email names only the practice and holds a link that
works only for the recipient's address, and the outbox clears its text once it is sent or
given up.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from docportal.adapters.mail_outbox import (
    SHARE_MAIL,
    queued_share_mail,
    share_id_of,
    share_mail_key,
)
from docportal.adapters.repository import ShareRepository
from docportal.adapters.tables import mail_outbox
from docportal.domain.share_mail import (
    FIRST_RETRY_DELAY,
    MAX_RETRY_DELAY,
    mail_delivered,
    mail_send_before,
)
from docportal.domain.shares import Share
from docportal.events.shares import SHARE_MAIL_SENT
from docportal.service_layer.ports import ShareMail, ShareMailer
from servicekit.db import UnitOfWork
from servicekit.mail_delivery import deliver_now
from servicekit.mail_outbox import Backoff, MailOutbox
from servicekit.messaging.envelope import Subject

log = logging.getLogger("docportal.share_mail")

MAIL_SENT_EVENT = SHARE_MAIL_SENT.type
#: 1, 2, 4, 8, 16 minutes, then every 30; the share's expiry (send_before) ends it first.
SHARE_MAIL_BACKOFF = Backoff(first=FIRST_RETRY_DELAY, last=MAX_RETRY_DELAY, max_attempts=60)


def _share_mail_sent(uow: UnitOfWork, key: str) -> None:
    """In the transaction that records the email sent: the share's delivery, and for a retried
    email its restarted window and ``docportal.share.mail_sent``, once."""
    shares, share_id = ShareRepository(uow.session), share_id_of(key)
    share, queued = shares.get_any(share_id, for_update=True), queued_share_mail(
        uow.session, share_id)
    if share is None or queued is None or queued.sent_at is None:
        return
    # A share handed over from the retrier before the outbox had tried it already.
    mail_delivered(share, queued.sent_at, share.mail_attempts + queued.attempts)
    if shares.save_mail_delivered(share) and share.mail_attempts > 1:
        uow.publish(SHARE_MAIL_SENT.event(
            subject=Subject("share", share.id), org_id=share.org_id,
            patient_id=share.patient_id, occurred_at=share.mail_sent_at,
            data={"attempts": share.mail_attempts,
                  "claim_deadline": share.claim_deadline.isoformat()}))
        log.info("share email sent after retrying",
                 extra={"share_id": share.id, "attempts": share.mail_attempts})


MAIL_OUTBOX = MailOutbox(mail_outbox, SHARE_MAIL_BACKOFF, on_sent={SHARE_MAIL: _share_mail_sent})


def queue_share_mail(session: Session, mailer: ShareMailer, share: Share, mail: ShareMail,
                     now: datetime) -> str:
    """Queue the share's email in ``session``'s transaction; return its outbox key."""
    key = share_mail_key(share.id)
    MAIL_OUTBOX.add(session, mailer.share_link_message(mail), key=key, kind=SHARE_MAIL,
                    now=now, send_before=mail_send_before(share))
    return key


def withdraw_share_mail(session: Session, share_id: str, now: datetime) -> None:
    """The share's link stopped working: its email, if still unsent, is not sent."""
    MAIL_OUTBOX.withdraw(session, share_mail_key(share_id), now)


def send_queued_share_mail(uow: UnitOfWork, mailer: ShareMailer, key: str,
                           now: datetime) -> bool:
    """After the commit: send the share's email now; True when the mail server took it."""
    return deliver_now(uow, MAIL_OUTBOX, mailer, key, lambda: now)


def share_mail_progress(session: Session, share: Share) -> None:
    """Fill in a pending share's attempts and next attempt from the outbox, for its sender."""
    queued = queued_share_mail(session, share.id)
    if share.mail_sent_at is None and queued is not None:
        share.mail_attempts += queued.attempts
        share.mail_next_attempt_at = queued.next_attempt_at
