"""The outbox and inbox tables, added to each service's own metadata."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    insert,
)
from sqlalchemy.orm import Session

from servicekit.db import UTCDateTime, insert_on_conflict
from servicekit.messaging.envelope import Event, encode_event
from servicekit.token_state import TokenStateTables, token_state_tables

# SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table
    #: Revoked tokens as projected from identity's events; None where the service issues them.
    token_state: TokenStateTables | None = None

    def add_to_outbox(self, session: Session, event: Event) -> None:
        self.add_all_to_outbox(session, [event])

    def add_all_to_outbox(self, session: Session, events: list[Event]) -> None:
        """Outbox rows for ``events`` in one statement (ids, and so relay order, as listed)."""
        if not events:
            return
        now = datetime.now(UTC)
        session.execute(insert(self.outbox), [
            {"event_id": e.id, "event_type": e.type, "payload": encode_event(e), "created_at": now}
            for e in events])

    def mark_processed(self, session: Session, consumer: str, event_ids: list[str]) -> set[str]:
        """Record that ``consumer`` handled ``event_ids``; return those it had not before."""
        if not event_ids:
            return set()
        now = datetime.now(UTC)
        statement = (
            insert_on_conflict(session, self.inbox)
            .values([{"consumer": consumer, "event_id": i, "processed_at": now}
                     for i in dict.fromkeys(event_ids)])
            .on_conflict_do_nothing()
            .returning(self.inbox.c.event_id)
        )
        return set(session.execute(statement).scalars())


def messaging_tables(metadata: MetaData, *, token_state: bool = True) -> MessagingTables:
    """The outbox, the inbox and (unless the service issues tokens) the token-state tables."""
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(200), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("sent_at", UTCDateTime(), nullable=True),
    )
    Index(
        "ix_outbox_unsent",
        outbox.c.id,
        postgresql_where=outbox.c.sent_at.is_(None),
        sqlite_where=outbox.c.sent_at.is_(None),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), nullable=False),
        Column("event_id", String(36), nullable=False),
        Column("processed_at", UTCDateTime(), nullable=False),
        PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
    )
    tokens = token_state_tables(metadata) if token_state else None
    return MessagingTables(outbox=outbox, inbox=inbox, token_state=tokens)
