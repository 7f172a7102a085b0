"""Queueing identity's mails in the mail outbox, inside the unit of work of their change, and
trying each once right after its commit (``identity mail-worker`` retries what is left)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage

from sqlalchemy.orm import Session

from identity.adapters.mail import IdentityMailer, MailUnavailable
from identity.adapters.mail_outbox import MAIL_OUTBOX
from servicekit.db import UnitOfWork
from servicekit.mail_delivery import deliver_now

log = logging.getLogger("identity.mail")


def queue_mail(session: Session, compose: Callable[[], EmailMessage], *, key: str, kind: str,
               now: datetime, send_before: datetime | None = None) -> bool:
    """Queue the composed mail in ``session``'s transaction; False when it cannot be composed
    (a header the mail library refuses), which leaves the change without its mail.
    ``send_before``: when the mail's link expires (not sent after that)."""
    try:
        message = compose()
    except MailUnavailable as err:
        log.warning("mail not composed, so not queued", extra={"kind": kind, "error": str(err)})
        return False
    MAIL_OUTBOX.add(session, message, key=key, kind=kind, now=now, send_before=send_before)
    return True


def send_queued(uow: UnitOfWork, mailer: IdentityMailer, key: str, now: datetime) -> bool:
    """After the commit: send the mail queued under ``key`` now; True when it went out."""
    return deliver_now(uow, MAIL_OUTBOX, mailer, key, lambda: max(now, datetime.now(UTC)))
