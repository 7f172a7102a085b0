"""``identity mail-worker``: mails the owed notifications every few seconds and, now and then,
the digests whose period has ended. Several replicas are safe (see notification_delivery and
digests: each mail is claimed before it is sent)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from identity.adapters.activity_mail import ActivityMailer
from identity.domain.catalog import UserTypeCatalog
from identity.service_layer.digests import send_due_digests
from identity.service_layer.notification_delivery import deliver_notifications
from servicekit.db import UnitOfWork
from servicekit.workers import poll_until_stopped

log = logging.getLogger("identity.mail_worker")


def run_mail_worker(uow_factory: Callable[[], UnitOfWork], mailer: ActivityMailer,
                    catalog: UserTypeCatalog, clock: Callable[[], datetime],
                    stop: threading.Event, *, poll_seconds: float,
                    digest_every_seconds: float) -> None:
    """Until ``stop``: notifications each pass, digests once every ``digest_every_seconds``."""
    next_digests = 0.0

    def one_pass() -> None:
        nonlocal next_digests
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
