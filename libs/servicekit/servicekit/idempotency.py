"""Idempotency keys: a creating request retried with its key is answered, not done, again.

A client that sends ``Idempotency-Key`` with a POST claims the key (per caller and route) by
inserting its row before the work starts: the primary key lets one of two simultaneous
duplicates in, the other is told the first is in flight. The work's own transaction marks
the row (``committed_at``, through the unit of work's commit hook, see ``servicekit.db``),
and is rolled back if the claim was taken over meanwhile, so work is never done twice; the
answer is stored right after. A key whose work never committed is released (or taken over
after ``LEASE``), so a retry does the work; an answer is replayed only when its work
committed. Rows older than ``KEPT_FOR`` are deleted when a key is claimed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Engine,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from servicekit.db import UTCDateTime, rowcount

if TYPE_CHECKING:
    from alembic.operations import Operations

TABLE = "idempotency_keys"
KEPT_FOR = timedelta(hours=24)
# A claim whose work has not committed after this long belongs to a request that died (a
# worker is killed well before: gunicorn's timeout); a retry may then do the work itself.
LEASE = timedelta(seconds=120)
#: The answer's headers a replay repeats (the body and status always).
REPLAYED_HEADERS = ("Content-Type", "Location", "ETag")


def idempotency_table(metadata: MetaData) -> Table:
    table = Table(
        TABLE,
        metadata,
        Column("scope", String(64), primary_key=True),  # sha256 of caller and route
        Column("key", String(200), primary_key=True),
        Column("fingerprint", String(64), nullable=False),  # sha256 of the request
        Column("claim", String(36), nullable=False),  # the attempt that holds the key
        Column("created_at", UTCDateTime(), nullable=False),
        Column("claimed_at", UTCDateTime(), nullable=False),
        Column("committed_at", UTCDateTime(), nullable=True),
        Column("status", Integer, nullable=True),
        Column("headers", Text, nullable=True),
        Column("body", LargeBinary, nullable=True),
    )
    Index("ix_idempotency_keys_created_at", table.c.created_at)
    return table


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Claimed:
    """This request holds the key: do the work."""

    scope: str
    key: str
    claim: str


@dataclass(frozen=True)
class Replay:
    answer: Answer


class Reused:
    """The key was used for another request (another body or path)."""


class InFlight:
    """The first request with this key is still being answered."""


class AnswerLost:
    """The work was done but its answer was never stored (its process died in between)."""


Outcome = Claimed | Replay | Reused | InFlight | AnswerLost


class ClaimTakenOver(Exception):
    """The claim's lease ran out and a retry took the key: this work must not commit."""


class IdempotencyKeys:
    """One service's idempotency keys, in its own database."""

    def __init__(self, table: Table, engine: Engine) -> None:
        self.table, self.engine = table, engine

    def claim(self, scope: str, key: str, fingerprint: str, now: datetime) -> Outcome:
        claim = str(uuid.uuid4())
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(self.table).where(self.table.c.created_at < now - KEPT_FOR))
                conn.execute(insert(self.table).values(
                    scope=scope, key=key, fingerprint=fingerprint, claim=claim,
                    created_at=now, claimed_at=now))
            return Claimed(scope, key, claim)
        except IntegrityError:
            return self._existing(scope, key, fingerprint, now)

    def _existing(self, scope: str, key: str, fingerprint: str, now: datetime) -> Outcome:
        c = self.table.c
        with self.engine.connect() as conn:
            row = conn.execute(select(self.table).where(c.scope == scope, c.key == key)).first()
        if row is None:  # purged or released between our insert and this read
            return InFlight()
        if row.fingerprint != fingerprint:
            return Reused()
        if row.status is not None:
            return Replay(Answer(row.status, json.loads(row.headers or "{}"), row.body or b""))
        if row.claimed_at > now - LEASE:
            return InFlight()
        if row.committed_at is not None:
            return AnswerLost()
        return self._take_over(row.claim, scope, key, now)

    def _take_over(self, old: str, scope: str, key: str, now: datetime) -> Outcome:
        c, claim = self.table.c, str(uuid.uuid4())
        with self.engine.begin() as conn:
            taken = conn.execute(update(self.table).where(
                c.scope == scope, c.key == key, c.claim == old, c.committed_at.is_(None),
            ).values(claim=claim, claimed_at=now)).rowcount
        return Claimed(scope, key, claim) if taken else InFlight()

    def mark_committed(self, session: Session, held: Claimed, now: datetime) -> None:
        """In the work's transaction: the work commits only while this attempt holds the key."""
        c = self.table.c
        marked = rowcount(session.execute(update(self.table).where(
            c.scope == held.scope, c.key == held.key, c.claim == held.claim,
        ).values(committed_at=now)))
        if not marked:
            raise ClaimTakenOver(held.key)

    def answer(self, held: Claimed, answer: Answer) -> None:
        c = self.table.c
        with self.engine.begin() as conn:
            conn.execute(update(self.table).where(
                c.scope == held.scope, c.key == held.key, c.claim == held.claim,
            ).values(status=answer.status, headers=json.dumps(answer.headers),
                     body=answer.body))

    def release(self, held: Claimed) -> None:
        """The work did not commit: the key is free again for a retry."""
        c = self.table.c
        with self.engine.begin() as conn:
            conn.execute(delete(self.table).where(
                c.scope == held.scope, c.key == held.key, c.claim == held.claim,
                c.committed_at.is_(None)))


def create_idempotency_table_v1(op: Operations) -> None:
    """The table as first migrated, for each service's Alembic revision (``op``): frozen, so
    that a later change comes as a new revision, never as a change here."""
    import sqlalchemy as sa

    op.create_table(
        TABLE,
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("claim", sa.String(36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.Column("committed_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("headers", sa.Text(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("scope", "key"),
    )
    op.create_index("ix_idempotency_keys_created_at", TABLE, ["created_at"])


def drop_idempotency_table_v1(op: Operations) -> None:
    op.drop_index("ix_idempotency_keys_created_at", table_name=TABLE)
    op.drop_table(TABLE)
