"""The stored record (``audit_events``): appended once per event, read by every report."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from audit.adapters.scoping import scoped
from audit.adapters.tables import audit_events
from audit.domain.chain import ChainRecord
from audit.domain.scope import Scope
from servicekit.messaging.envelope import Event

_STREAMED = {"yield_per": 1000}


@dataclass(frozen=True)
class EventFilter:
    type: str | None = None
    actor_id: str | None = None
    patient_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None


class AuditRecord:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, event: Event, envelope: str, record: ChainRecord, received_at: datetime
            ) -> None:
        self.add_all([(event, envelope, record)], received_at)

    def add_all(self, records: list[tuple[Event, str, ChainRecord]], received_at: datetime
                ) -> None:
        """Store a batch of chained records with one INSERT (SQLAlchemy's insertmanyvalues)."""
        if records:
            self.session.execute(audit_events.insert(), [
                _row(event, envelope, record, received_at) for event, envelope, record in records])

    def latest(self, count: int) -> list[dict[str, Any]]:
        """The newest ``count`` stored events, oldest first."""
        rows = self.session.execute(
            select(audit_events).order_by(audit_events.c.seq.desc()).limit(count)
        ).mappings().all()
        return [dict(row) for row in reversed(rows)]

    def page(self, scope: Scope, filters: EventFilter, *, after: int | None, limit: int
             ) -> tuple[list[dict[str, Any]], int | None]:
        """Events in arrival order after the cursor ``after``; the next cursor if more."""
        c = audit_events.c
        query = scoped(select(audit_events), scope, c.org_id)
        for column, value in ((c.type, filters.type), (c.actor_id, filters.actor_id),
                              (c.patient_id, filters.patient_id)):
            if value is not None:
                query = query.where(column == value)
        if filters.start is not None:
            query = query.where(c.occurred_at >= filters.start)
        if filters.end is not None:
            query = query.where(c.occurred_at < filters.end)
        if after is not None:
            query = query.where(c.seq > after)
        rows = self.session.execute(query.order_by(c.seq).limit(limit + 1)).mappings().all()
        page = [_stored_event(row) for row in rows[:limit]]
        return page, (page[-1]["seq"] if len(rows) > limit else None)

    def access_envelopes(self, scope: Scope, *, actor_id: str | None = None,
                         patient_id: str | None = None, start: datetime, end: datetime,
                         ) -> Iterator[dict[str, Any]]:
        """The stored envelopes that may hold accesses by ``actor_id`` or to ``patient_id``."""
        c = audit_events.c
        query = scoped(select(c.envelope), scope, c.org_id).where(
            c.occurred_at >= start, c.occurred_at < end)
        if actor_id is not None:
            query = query.where(c.actor_id == actor_id)
        if patient_id is not None:
            # Searches name their patients in data.patient_ids, not in the envelope's.
            query = query.where(or_(c.patient_id == patient_id, c.type.like("%.searched")))
        yield from self._envelopes(query.order_by(c.seq))

    def patient_envelopes(self, scope: Scope, patient_id: str, types: Iterable[str]
                          ) -> Iterator[dict[str, Any]]:
        """Every stored event of these types about the patient, in the order they happened."""
        c = audit_events.c
        query = scoped(select(c.envelope), scope, c.org_id).where(
            c.patient_id == patient_id, c.type.in_(sorted(types)))
        yield from self._envelopes(query.order_by(c.occurred_at, c.seq))

    def envelopes_naming_patients(self, scope: Scope, patient_ids: list[str]
                                  ) -> Iterator[tuple[str, dict[str, Any]]]:
        """(patient id, envelope) of every event in scope about these patients, oldest first."""
        c = audit_events.c
        for chunk in (patient_ids[i:i + 500] for i in range(0, len(patient_ids), 500)):
            query = scoped(select(c.patient_id, c.envelope), scope, c.org_id).where(
                c.patient_id.in_(chunk)).order_by(c.seq)
            for row in self.session.execute(query):
                yield row.patient_id, json.loads(row.envelope)

    def envelopes_by_actor(self, event_type: str, actor_id: str, since: datetime
                           ) -> list[dict[str, Any]]:
        c = audit_events.c
        rows = self.session.execute(select(c.envelope).where(
            c.actor_id == actor_id, c.type == event_type, c.occurred_at >= since)).all()
        return [json.loads(row.envelope) for row in rows]

    def envelopes_in_practice(self, event_type: str, org_id: str, after: datetime,
                              until: datetime) -> list[dict[str, Any]]:
        """The practice's events of this type that happened in (after, until]."""
        c = audit_events.c
        rows = self.session.execute(select(c.envelope).where(
            c.org_id == org_id, c.type == event_type, c.occurred_at > after,
            c.occurred_at <= until)).all()
        return [json.loads(row.envelope) for row in rows]

    def _envelopes(self, query: Select) -> Iterator[dict[str, Any]]:
        for row in self.session.execute(query.execution_options(**_STREAMED)):
            yield json.loads(row.envelope)


def _row(event: Event, envelope: str, record: ChainRecord, received_at: datetime
         ) -> dict[str, Any]:
    return {"event_id": event.id, "type": event.type, "producer": event.producer,
            "org_id": event.org_id, "actor_id": event.actor.id if event.actor else None,
            "patient_id": event.patient_id, "occurred_at": event.occurred_at,
            "received_at": received_at, "envelope": envelope, "partition": record.partition,
            "chain_seq": record.seq, "prev_hash": record.prev_hash, "hash": record.hash}


def _stored_event(row: Any) -> dict[str, Any]:
    return {"seq": row["seq"], "partition": row["partition"], "chain_seq": row["chain_seq"],
            "hash": row["hash"], "received_at": row["received_at"],
            "event": json.loads(row["envelope"])}
