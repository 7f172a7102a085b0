"""``identity mail-worker``: every few seconds sends what is due in identity's mail outbox
(invitations, get-started and reset links, notifications and digests the mail server refused
before) and queues the owed notifications; now and then it queues the digests whose period has
ended. Several replicas are safe: each mail is claimed (SKIP LOCKED) before it is sent."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from identity.adapters.activity_mail import ActivityMailer
from identity.adapters.mail_outbox import MAIL_OUTBOX
from identity.domain.catalog import UserTypeCatalog
from identity.service_layer.digests import send_due_digests
from identity.service_layer.notification_delivery import deliver_notifications
from servicekit.db import UnitOfWork
from servicekit.mail_delivery import deliver_due
from servicekit.workers import poll_until_stopped

log = logging.getLogger("identity.mail_worker")


def run_mail_worker(uow_factory: Callable[[], UnitOfWork], mailer: ActivityMailer,
                    catalog: UserTypeCatalog, clock: Callable[[], datetime],
                    stop: threading.Event, *, poll_seconds: float,
                    digest_every_seconds: float) -> None:
    """Until ``stop``: the mail outbox and the notifications each pass, digests once every
    ``digest_every_seconds``."""
    next_digests = 0.0

    def one_pass() -> None:
        nonlocal next_digests
        retried = deliver_due(uow_factory(), MAIL_OUTBOX, mailer, clock)
        if retried.sent or retried.failed or retried.given_up:
            log.info("mail outbox pass", extra={"sent": retried.sent, "failed": retried.failed,
                                                "given_up": retried.given_up})
        done = deliver_notifications(uow_factory(), mailer, clock)
        if done.sent or done.failed:
            log.info("notification pass", extra={"sent": done.sent, "failed": done.failed})
        if time.monotonic() >= next_digests:
            digests = send_due_digests(uow_factory(), mailer, catalog, clock())
            next_digests = time.monotonic() + digest_every_seconds
            if digests.sent or digests.failed:
                log.info("digest pass", extra={"sent": digests.sent, "failed": digests.failed})

    poll_until_stopped(one_pass, stop, poll_seconds=poll_seconds, what="identity mail worker",
                       max_pause=60.0)
