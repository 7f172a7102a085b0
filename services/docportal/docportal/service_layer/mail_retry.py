"""``docportal mail-retry``: sends docportal's mail outbox with backoff (servicekit.mail_delivery).

Each pass first hands over, once, the shares the retrier before the mail outbox (migration
0010) left "mail pending": each gets a new link (only the old one's hash was kept, and it was
never delivered) queued in the outbox. Then every share email that is due is tried; several
replicas are safe (``FOR UPDATE SKIP LOCKED``), one share gets one email per attempt.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from docportal.adapters.repository import PracticeNames, ShareRepository
from docportal.domain.share_mail import awaits_handover, hand_over
from docportal.domain.shares import Share
from docportal.service_layer.ports import ShareMail, ShareMailer
from docportal.service_layer.share_mail_queue import MAIL_OUTBOX, queue_share_mail
from docportal.service_layer.shares import UNKNOWN_PRACTICE, ShareMailSettings, share_link
from servicekit.db import UnitOfWork
from servicekit.mail_delivery import deliver_due
from servicekit.workers import poll_until_stopped

log = logging.getLogger("docportal.mail_retry")

#: A pass hands over at most this many shares, so a backlog cannot starve shutdown.
PASS_LIMIT = 200
MAX_PAUSE_SECONDS = 60.0


@dataclass(frozen=True)
class RetryPass:
    sent: int
    failed: int
    given_up: int = 0


def retry_pending_mail(uow: UnitOfWork, mail: ShareMailSettings, clock: Callable[[], datetime],
                       *, limit: int = PASS_LIMIT) -> RetryPass:
    """Try once every share email that is due; return how many went out, failed, were given up."""
    hand_over_pending_shares(uow, mail, clock(), limit=limit)
    done = deliver_due(uow, MAIL_OUTBOX, mail.mailer, clock, limit=limit)
    return RetryPass(done.sent, done.failed, done.given_up)


def run_mail_retry(uow: UnitOfWork, mail: ShareMailSettings, clock: Callable[[], datetime],
                   stop: threading.Event, *, poll_seconds: float) -> None:
    """Retry due share emails every ``poll_seconds`` until ``stop``; outlive database outages."""

    def one_pass() -> None:
        done = retry_pending_mail(uow, mail, clock)
        if done.sent or done.failed or done.given_up:
            log.info("share email retry pass", extra={
                "sent": done.sent, "failed": done.failed, "given_up": done.given_up})

    poll_until_stopped(one_pass, stop, poll_seconds=poll_seconds, what="share email retry",
                       max_pause=MAX_PAUSE_SECONDS)


def hand_over_pending_shares(uow: UnitOfWork, mail: ShareMailSettings, now: datetime, *,
                             limit: int = PASS_LIMIT) -> int:
    """Queue in the outbox, with a new link, each share left pending before it; how many."""
    handed: set[str] = set()
    with uow:
        shares = ShareRepository(uow.session)
        while len(handed) < limit and (share := shares.next_awaiting_handover(
                now, skip=handed)) is not None:
            handed.add(share.id)
            if not awaits_handover(share, now):
                # The query and the domain's rule disagree; the rule wins, and says so.
                log.error("share selected for a handover does not await one",
                          extra={"share_id": share.id})
                continue
            token = hand_over(share, now)
            shares.save_handover(share)
            _queue(uow, mail.mailer, mail.portal_base_url, share, token, now)
        uow.commit()
    if handed:
        log.info("pending share emails handed over to the mail outbox",
                 extra={"shares": len(handed)})
    return len(handed)


def _queue(uow: UnitOfWork, mailer: ShareMailer, portal_base_url: str, share: Share,
           token: str, now: datetime) -> None:
    practice = PracticeNames(uow.session).get(share.org_id) or UNKNOWN_PRACTICE
    queue_share_mail(uow.session, mailer, share, ShareMail(
        share.recipient_email, practice, share_link(portal_base_url, token)), now)
