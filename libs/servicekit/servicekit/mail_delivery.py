"""Sending the mail outbox: each due mail claimed, sent, and marked sent or rescheduled.

A mail is claimed in a short transaction of its own (``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
SQLite's writer lock serializes claims) that counts the attempt and moves its next attempt on
by the backoff before the mail goes out. So no lock is held while talking to the mail server,
a second worker finds the mail not due, and a worker that dies mid-send leaves it to be tried
again once the backoff has passed: a mail goes out at least once, and twice only when a worker
dies between the server's acceptance and the commit that follows it (it then carries the same
Message-ID). Failures are counted (``mail_outbox_attempts_total``) and logged with the mail's
id, kind and attempt, never its address or text.

A claimed mail's text is opened with the session's mail seal (``servicekit.mail_outbox``). One
that does not open (sealed under another MAIL_OUTBOX_SECRET, altered, or moved from another
row) is given up at once with that reason: never sent garbled, never retried.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import func, select

from servicekit.db import UnitOfWork, rowcount
from servicekit.mail import MailUnavailable
from servicekit.mail_outbox import MailOutbox, OnSent, UnreadableMail, mail_seal_of, parse_message
from servicekit.metrics import mail_outbox_attempts, mail_outbox_oldest_pending_age, process_service
from servicekit.workers import poll_until_stopped

log = logging.getLogger("servicekit.mail_outbox")

#: ``last_error`` of a mail whose sealed text did not open.
UNREADABLE = ("sealed under another MAIL_OUTBOX_SECRET, or altered: not sent (check that every "
              "process of the service has the same MAIL_OUTBOX_SECRET)")

#: A pass stops after this many mails, so a long outage's backlog cannot starve shutdown.
PASS_LIMIT = 200


class Mailer(Protocol):
    """``servicekit.mail.SmtpMailer``: raises MailUnavailable when the server cannot take it."""

    def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class DeliveryPass:
    sent: int = 0
    failed: int = 0
    given_up: int = 0


@dataclass(frozen=True)
class _Claimed:
    id: int
    key: str
    kind: str
    text: str
    attempts: int
    expired: bool = False
    unreadable: bool = False


def deliver_due(uow: UnitOfWork, outbox: MailOutbox, mailer: Mailer,
                clock: Callable[[], datetime], *, limit: int = PASS_LIMIT,
                key: str | None = None) -> DeliveryPass:
    """Try once every mail that is due (or only the one with ``key``); count the outcomes."""
    outcomes = {"sent": 0, "failed": 0, "given_up": 0}
    tried: set[int] = set()
    while len(tried) < limit and (mail := _claim_next(uow, outbox, clock(), tried, key)):
        tried.add(mail.id)
        outcomes[_attempt(uow, outbox, mailer, mail, clock)] += 1
    if key is None:
        _measure_backlog(uow, outbox, clock())
    return DeliveryPass(**outcomes)


def deliver_now(uow: UnitOfWork, outbox: MailOutbox, mailer: Mailer, key: str,
                clock: Callable[[], datetime]) -> bool:
    """Send the mail just queued under ``key`` (after its commit); True when it went out.
    Never raises for the mail server: a refused mail waits for the worker's next attempt."""
    try:
        return deliver_due(uow, outbox, mailer, clock, limit=1, key=key).sent == 1
    except Exception as err:  # noqa: BLE001 - the mail is committed; the worker sends it later
        log.warning("mail not sent at once; the mail worker sends it",
                    extra={"error": type(err).__name__})
        return False


def run_mail_outbox(uow: UnitOfWork, outbox: MailOutbox, mailer: Mailer,
                    clock: Callable[[], datetime], stop: threading.Event, *,
                    poll_seconds: float) -> None:
    """Send due mails every ``poll_seconds`` until ``stop``; outlive database outages."""

    def one_pass() -> None:
        done = deliver_due(uow, outbox, mailer, clock)
        if done.sent or done.failed or done.given_up:
            log.info("mail outbox pass", extra={"sent": done.sent, "failed": done.failed,
                                                "given_up": done.given_up})

    poll_until_stopped(one_pass, stop, poll_seconds=poll_seconds, what="mail outbox",
                       max_pause=60.0)


def _claim_next(uow: UnitOfWork, outbox: MailOutbox, now: datetime, tried: set[int],
                key: str | None) -> _Claimed | None:
    c = outbox.table.c
    with uow:
        seal = mail_seal_of(uow.session)  # before claiming: a session without one claims none
        query = (select(c.id, c.key, c.kind, c.message, c.attempts, c.send_before)
                 .where(c.next_attempt_at <= now, c.sent_at.is_(None))
                 .order_by(c.next_attempt_at, c.id).limit(1)
                 .with_for_update(skip_locked=True))
        if key is not None:
            query = query.where(c.key == key)
        if tried:
            query = query.where(c.id.not_in(tried))
        row = uow.session.execute(query).first()
        if row is None:
            return None
        attempts = row.attempts + 1
        uow.session.execute(outbox.table.update().where(c.id == row.id).values(
            attempts=attempts, next_attempt_at=now + outbox.backoff.after(attempts)))
        uow.commit()
    expired = row.send_before is not None and row.send_before < now
    try:
        text, unreadable = seal.open(row.key, row.message or ""), False
    except UnreadableMail:
        text, unreadable = "", True
    return _Claimed(row.id, row.key, row.kind, text, attempts, expired, unreadable)


def _attempt(uow: UnitOfWork, outbox: MailOutbox, mailer: Mailer, mail: _Claimed,
             clock: Callable[[], datetime]) -> str:
    if mail.expired:
        return _failed(uow, outbox, mail, "expired before it could be sent", clock(),
                       last=True)
    if mail.unreadable:
        return _failed(uow, outbox, mail, UNREADABLE, clock(), last=True)
    try:
        mailer.send(parse_message(mail.text))
    except MailUnavailable as err:
        return _failed(uow, outbox, mail, str(err) or "MailUnavailable", clock())
    except Exception as err:  # noqa: BLE001 - a message that cannot be sent is retried too
        return _failed(uow, outbox, mail, type(err).__name__, clock())
    _settle(uow, outbox, mail.id, sent_at=clock(), next_attempt_at=None, message=None,
            last_error=None, then=outbox.on_sent.get(mail.kind), key=mail.key)
    mail_outbox_attempts.labels(process_service(), mail.kind, "sent").inc()
    return "sent"


def _failed(uow: UnitOfWork, outbox: MailOutbox, mail: _Claimed, error: str,
            now: datetime, *, last: bool = False) -> str:
    # ``error`` is an exception's class name (MailUnavailable carries nothing else): no
    # address, no text of the mail.
    error = error[:200]
    given_up = last or mail.attempts >= outbox.backoff.max_attempts
    if given_up:
        _settle(uow, outbox, mail.id, given_up_at=now, next_attempt_at=None, last_error=error,
                message=None)
    else:
        _settle(uow, outbox, mail.id, last_error=error)
    outcome = "given_up" if given_up else "failed"
    mail_outbox_attempts.labels(process_service(), mail.kind, outcome).inc()
    log.warning("mail given up after its last attempt" if given_up else
                "mail not sent; tried again later", extra={
                    "mail_id": mail.id, "kind": mail.kind, "attempts": mail.attempts,
                    "retry_in_seconds": None if given_up else
                    outbox.backoff.after(mail.attempts).total_seconds(),
                    "error": error})
    return outcome


def _settle(uow: UnitOfWork, outbox: MailOutbox, mail_id: int, *, then: OnSent | None = None,
            key: str = "", **values: object) -> None:
    c = outbox.table.c
    with uow:
        settled = rowcount(uow.session.execute(outbox.table.update()
                                               .where(c.id == mail_id, c.sent_at.is_(None))
                                               .values(**values)))
        if then is not None and settled:
            then(uow, key)
        uow.commit()


def _measure_backlog(uow: UnitOfWork, outbox: MailOutbox, now: datetime) -> None:
    c = outbox.table.c
    with uow:
        oldest = uow.session.execute(select(func.min(c.created_at)).where(
            c.next_attempt_at.is_not(None))).scalar()
    age = (now - oldest).total_seconds() if oldest is not None else 0.0
    mail_outbox_oldest_pending_age.labels(process_service()).set(max(age, 0.0))
