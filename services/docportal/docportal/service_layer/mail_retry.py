"""Sending share emails again that the mail server refused: ``docportal mail-retry``.

Each share is claimed in a short transaction of its own (``FOR UPDATE SKIP LOCKED``): the
new link's hash and the next attempt's time are committed before the mail goes out, so no
database lock is held while talking to the mail server, and a second retrier finds the share
not due until the backoff has passed. Several replicas are safe; one share gets one email
per attempt.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from docportal.adapters.repository import PracticeNames, ShareRepository
from docportal.domain.share_mail import mail_delivered, mail_retry_due, start_mail_retry
from docportal.domain.shares import Share
from docportal.service_layer.ports import MailUnavailable, ShareMail
from docportal.service_layer.shares import UNKNOWN_PRACTICE, ShareMailSettings, share_link
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject, new_event
from servicekit.workers import poll_until_stopped

log = logging.getLogger("docportal.mail_retry")

MAIL_SENT_EVENT = "docportal.share.mail_sent"
#: A pass stops after this many shares, so a long outage's backlog cannot starve shutdown.
PASS_LIMIT = 200
MAX_PAUSE_SECONDS = 60.0


@dataclass(frozen=True)
class RetryPass:
    sent: int
    failed: int


@dataclass(frozen=True)
class _Attempt:
    share: Share
    token: str
    practice: str


def retry_pending_mail(uow: UnitOfWork, mail: ShareMailSettings, clock: Callable[[], datetime],
                       *, limit: int = PASS_LIMIT) -> RetryPass:
    """Try once more every share email that is due; return how many went out and failed."""
    sent = failed = 0
    tried: set[str] = set()
    while len(tried) < limit:
        attempt = _claim_next(uow, clock(), tried)
        if attempt is None:
            break
        tried.add(attempt.share.id)
        if _send(uow, mail, attempt, clock):
            sent += 1
        else:
            failed += 1
    return RetryPass(sent, failed)


def run_mail_retry(uow: UnitOfWork, mail: ShareMailSettings, clock: Callable[[], datetime],
                   stop: threading.Event, *, poll_seconds: float) -> None:
    """Retry due share emails every ``poll_seconds`` until ``stop``; outlive database outages."""

    def one_pass() -> None:
        done = retry_pending_mail(uow, mail, clock)
        if done.sent or done.failed:
            log.info("share email retry pass", extra={"sent": done.sent, "failed": done.failed})

    poll_until_stopped(one_pass, stop, poll_seconds=poll_seconds, what="share email retry",
                       max_pause=MAX_PAUSE_SECONDS)


def _claim_next(uow: UnitOfWork, now: datetime, tried: set[str]) -> _Attempt | None:
    with uow:
        shares = ShareRepository(uow.session)
        while (share := shares.next_mail_due(now, skip=tried)) is not None:
            if mail_retry_due(share, now):
                break
            # The query and the domain's rule disagree; the rule wins, and says so.
            log.error("share selected for a mail retry is not due", extra={"share_id": share.id})
            tried.add(share.id)
        if share is None:
            return None
        token = start_mail_retry(share, now)
        shares.save_mail_attempt(share)
        practice = PracticeNames(uow.session).get(share.org_id) or UNKNOWN_PRACTICE
        uow.commit()
    return _Attempt(share, token, practice)


def _send(uow: UnitOfWork, mail: ShareMailSettings, attempt: _Attempt,
          clock: Callable[[], datetime]) -> bool:
    share = attempt.share
    try:
        mail.mailer.send_share_link(ShareMail(
            share.recipient_email, attempt.practice,
            share_link(mail.portal_base_url, attempt.token)))
    except MailUnavailable as err:
        # Counted in smtp_errors_total by the mailer; the next attempt is already scheduled.
        log.warning("share email retry failed", extra={
            "share_id": share.id, "attempts": share.mail_attempts,
            "next_attempt_at": share.mail_next_attempt_at.isoformat()
            if share.mail_next_attempt_at else None, "error": str(err)})
        return False
    mail_delivered(share, clock())
    with uow:
        if ShareRepository(uow.session).save_mail_delivered(share):
            uow.publish(new_event(
                MAIL_SENT_EVENT, subject=Subject("share", share.id), org_id=share.org_id,
                patient_id=share.patient_id, occurred_at=share.mail_sent_at,
                data={"attempts": share.mail_attempts,
                      "claim_deadline": share.claim_deadline.isoformat()}))
        uow.commit()
    log.info("share email sent after retrying", extra={"share_id": share.id,
                                                       "attempts": share.mail_attempts})
    return True
