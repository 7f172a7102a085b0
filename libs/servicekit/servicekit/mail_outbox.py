"""The mail outbox: every mail a service sends, written in the transaction of the change.

A use case composes its message and adds it to the service's ``mail_outbox`` table inside the
unit of work that makes the change: a rolled-back change mails nothing, a committed one is
mailed eventually, however long the mail server is away. ``servicekit.mail_delivery`` sends
what is due, with backoff per message, from the service's mail worker (and, to keep a mail's
way short, once right after the commit that queued it).

Each message has a key (``invitation:<id>:<n>``) that is unique in the table: queueing the
same key twice queues one mail. A message's text holds its single-use link until it is sent,
and is cleared then (or when the mail is given up: after its last attempt, or once its link
has expired, ``send_before``); the row stays as the record of what became of the mail.

The text is kept sealed (``MailSeal``: AES-GCM under a key derived from MAIL_OUTBOX_SECRET,
the row's key as associated data), so a copy of the database shows a mail's kind, key and
times, never its recipient, link or words, and a sealed text moved onto another row does not
open. The seal rides with the service's database sessions: ``servicekit.runtime.Runtime``
builds it from the process's config into its sessionmaker's ``info`` (``mail_seal_info``), so
each app and worker carries its own key and no call site or global holds one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_string, policy
from email.message import EmailMessage
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text, select
from sqlalchemy.orm import Session

from servicekit.db import UTCDateTime, insert_on_conflict, rowcount
from servicekit.messaging.tables import BigId

if TYPE_CHECKING:
    from alembic.operations import Operations

    from servicekit.db import UnitOfWork

#: Called in the transaction that records a mail sent, with the mail's key: a service keeps
#: its own record of delivery (an invitation's mail status, a share's mail_sent_at).
OnSent = Callable[["UnitOfWork", str], None]

TABLE = "mail_outbox"
SENT, PENDING, GIVEN_UP = "sent", "pending", "given_up"


#: Prefix of a sealed text; a text without it was queued before texts were sealed and is sent
#: as it is (a MIME message starts with a header, never with this).
SEALED_PREFIX = "sealed.v1:"
_PURPOSE = b"servicekit mail outbox v1"
_SESSION_INFO_KEY = "servicekit.mail_seal"


class UnreadableMail(Exception):
    """A sealed text that does not open under this seal's keys: sealed under another
    MAIL_OUTBOX_SECRET, altered, or moved from another row."""


class MailSealMissing(RuntimeError):
    """A session without a mail seal was asked to queue or send mail."""

    def __init__(self) -> None:
        super().__init__("this database session carries no mail seal: build sessions through "
                         "servicekit.runtime.Runtime (or sessionmaker(info=mail_seal_info(..)))")


class MailSeal:
    """Seals and opens mail texts at rest. ``secret`` is MAIL_OUTBOX_SECRET: one secret, or
    several separated by spaces during a rotation (the first seals, every one opens)."""

    def __init__(self, secret: str) -> None:
        secrets = secret.split()
        if not secrets:
            raise ValueError("MAIL_OUTBOX_SECRET is empty")
        self._keys = [AESGCM(hmac.new(s.encode(), _PURPOSE, hashlib.sha256).digest())
                      for s in secrets]

    def seal(self, key: str, text: str) -> str:
        nonce = os.urandom(12)
        sealed = self._keys[0].encrypt(nonce, text.encode(), key.encode())
        return SEALED_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, key: str, stored: str) -> str:
        """The text of row ``key``; a text from before sealing as it is. Raises
        UnreadableMail when it does not open."""
        if not stored.startswith(SEALED_PREFIX):
            return stored
        try:
            raw = base64.urlsafe_b64decode(stored[len(SEALED_PREFIX):].encode())
        except ValueError:
            raise UnreadableMail from None
        for aead in self._keys:
            try:
                return aead.decrypt(raw[:12], raw[12:], key.encode()).decode()
            except (InvalidTag, ValueError):
                continue
        raise UnreadableMail


def mail_seal_info(seal: MailSeal | None) -> dict[str, MailSeal]:
    """``info`` for a sessionmaker whose sessions queue and send mail under ``seal``."""
    return {} if seal is None else {_SESSION_INFO_KEY: seal}


def mail_seal_of(session: Session) -> MailSeal:
    seal = session.info.get(_SESSION_INFO_KEY)
    if not isinstance(seal, MailSeal):
        raise MailSealMissing
    return seal


@dataclass(frozen=True)
class Backoff:
    """After a failed attempt: ``first``, doubling to ``last``; ``max_attempts`` in all."""

    first: timedelta = timedelta(seconds=30)
    last: timedelta = timedelta(hours=1)
    # 30 s, 1, 2, 4 ... 32 min, then hourly: about a day before a mail is given up.
    max_attempts: int = 30

    def after(self, attempts: int) -> timedelta:
        """The wait after ``attempts`` attempts (also the lease of the attempt in hand)."""
        return min(self.last, self.first * (1 << min(max(attempts - 1, 0), 16)))


def mail_outbox_table(metadata: MetaData) -> Table:
    table = Table(
        TABLE,
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("key", String(200), nullable=False, unique=True),
        Column("kind", String(60), nullable=False),
        Column("message", Text, nullable=True),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("next_attempt_at", UTCDateTime(), nullable=True),
        Column("last_error", String(200), nullable=True),
        Column("sent_at", UTCDateTime(), nullable=True),
        Column("given_up_at", UTCDateTime(), nullable=True),
        # A mail still unsent then is given up (its link has expired): never sent stale.
        Column("send_before", UTCDateTime(), nullable=True),
    )
    Index("ix_mail_outbox_due", table.c.next_attempt_at,
          postgresql_where=table.c.next_attempt_at.is_not(None),
          sqlite_where=table.c.next_attempt_at.is_not(None))
    return table


class MailOutbox:
    """One service's mail outbox table, its retry schedule and what to do once a kind of
    mail is sent (``on_sent``, by kind)."""

    def __init__(self, table: Table, backoff: Backoff | None = None,
                 on_sent: Mapping[str, OnSent] | None = None) -> None:
        self.table = table
        self.backoff = backoff or Backoff()
        self.on_sent = dict(on_sent or {})

    def add(self, session: Session, message: EmailMessage, *, key: str, kind: str,
            now: datetime, send_before: datetime | None = None) -> bool:
        """Queue ``message`` in the caller's transaction; False when ``key`` was queued before.
        ``send_before``: when its link expires (an unsent mail is given up then). The text is
        stored sealed under the session's mail seal (MailSealMissing without one)."""
        sealed = mail_seal_of(session).seal(key, message.as_string())
        statement = insert_on_conflict(session, self.table).values(
            key=key, kind=kind, message=sealed, send_before=send_before,
            created_at=now, attempts=0, next_attempt_at=now,
        ).on_conflict_do_nothing(index_elements=["key"]).returning(self.table.c.id)
        return session.execute(statement).first() is not None

    def withdraw(self, session: Session, key: str, now: datetime) -> bool:
        """Give up the unsent mail under ``key`` in the caller's transaction (its link was
        revoked or replaced); False when there is none still to send. A worker already
        sending it may still deliver it."""
        c = self.table.c
        return rowcount(session.execute(self.table.update().where(
            c.key == key, c.sent_at.is_(None), c.given_up_at.is_(None)).values(
            given_up_at=now, next_attempt_at=None, message=None, last_error="withdrawn",
        ))) == 1

    def status(self, session: Session, key: str) -> str | None:
        """SENT, PENDING (queued or being retried), GIVEN_UP, or None when never queued."""
        c = self.table.c
        row = session.execute(select(c.sent_at, c.given_up_at).where(c.key == key)).first()
        if row is None:
            return None
        return SENT if row.sent_at else GIVEN_UP if row.given_up_at else PENDING


def parse_message(text: str) -> EmailMessage:
    message = message_from_string(text, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def create_mail_outbox_table_v1(op: Operations) -> None:
    """The table as first migrated, for each service's Alembic revision (``op``): frozen, so
    that a later change comes as a new revision, never as a change here."""
    import sqlalchemy as sa

    op.create_table(
        TABLE,
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("given_up_at", UTCDateTime(), nullable=True),
        sa.Column("send_before", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    due = sa.text("next_attempt_at IS NOT NULL")
    op.create_index("ix_mail_outbox_due", TABLE, ["next_attempt_at"],
                    postgresql_where=due, sqlite_where=due)


def drop_mail_outbox_table_v1(op: Operations) -> None:
    op.drop_index("ix_mail_outbox_due", table_name=TABLE)
    op.drop_table(TABLE)
