"""The places a caller's open security streams hold, counted in the database.

Counting in the database makes the per-caller limit hold across every worker and replica.
A place is a row (caller, slot) with slot below the limit: the primary key makes two streams
opening at once take different places or none, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from audit.adapters.tables import stream_connections
from audit.domain.stream_limits import StreamAllowance
from servicekit.db import insert_on_conflict, rowcount


@dataclass(frozen=True)
class StreamPlace:
    caller: str
    slot: int
    connection_id: str


def take_stream_place(session: Session, caller: str, allowance: StreamAllowance,
                      now: datetime) -> StreamPlace | None:
    """A free place of ``caller`` (or one a dead process left), or None when all are held."""
    c = stream_connections.c
    held = {row.slot: row for row in session.execute(
        select(c.slot, c.connection_id, c.seen_at).where(c.caller == caller))}
    for slot in allowance.slots:
        place = StreamPlace(caller, slot, str(uuid.uuid4()))
        row = held.get(slot)
        if row is None:
            taken = session.execute(
                insert_on_conflict(session, stream_connections).values(
                    caller=caller, slot=slot, connection_id=place.connection_id,
                    opened_at=now, seen_at=now)
                .on_conflict_do_nothing().returning(c.slot)).first() is not None
        elif allowance.is_stale(row.seen_at, now):
            # Only if nobody took it over since we looked: compare the connection id.
            taken = rowcount(session.execute(
                update(stream_connections)
                .where(c.caller == caller, c.slot == slot,
                       c.connection_id == row.connection_id)
                .values(connection_id=place.connection_id, opened_at=now, seen_at=now)
            )) == 1
        else:
            continue
        if taken:
            return place
    return None


def renew_stream_place(session: Session, place: StreamPlace, now: datetime) -> bool:
    """Mark the stream alive; False when its place was taken over (it was thought dead)."""
    c = stream_connections.c
    return rowcount(session.execute(
        update(stream_connections)
        .where(c.caller == place.caller, c.slot == place.slot,
               c.connection_id == place.connection_id)
        .values(seen_at=now))) == 1


def free_stream_place(session: Session, place: StreamPlace) -> None:
    c = stream_connections.c
    session.execute(stream_connections.delete().where(
        c.caller == place.caller, c.slot == place.slot,
        c.connection_id == place.connection_id))


def open_streams(session: Session, caller: str) -> int:
    c = stream_connections.c
    return len(session.execute(select(c.slot).where(c.caller == caller)).all())
