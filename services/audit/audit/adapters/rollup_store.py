"""The access rollups (``access_rollups``): upserted with each record, summed by reports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, MetaData, Table, delete, func, select
from sqlalchemy.orm import Session

from audit.adapters.tables import access_rollup_columns, access_rollups, audit_events, chain_heads
from audit.domain.access import Action
from audit.domain.reports import AccessTally
from audit.domain.rollups import RollupKey, RollupTally
from audit.domain.scope import Scope
from servicekit.db import insert_on_conflict

_KEY = ("actor_id", "org_id", "day", "patient_id", "action")


class AccessRollups:
    def __init__(self, session: Session, table: Table = access_rollups) -> None:
        self.session, self.table = session, table

    def add(self, tallies: dict[RollupKey, RollupTally]) -> None:
        """Add the tallies to their rows: insert new keys, sum into existing ones."""
        # Keys in one order, so two transactions never wait on each other's rows in a cycle.
        rows = [_row(key, tally) for key, tally in
                sorted(tallies.items(), key=lambda item: _sort_key(item[0]))]
        if rows:  # one statement, compiled once and cached, its rows sent as a batch
            self.session.execute(self._upsert(), rows)

    def of_user(self, scope: Scope, actor_id: str, first_day: date, end_day: date
                ) -> list[AccessTally]:
        """Per patient and action: what ``actor_id`` did on the days [first_day, end_day)."""
        c = self.table.c
        return self._tallies(c.patient_id, c.actor_id == actor_id, scope, first_day, end_day)

    def of_patient(self, scope: Scope, patient_id: str, first_day: date, end_day: date
                   ) -> list[AccessTally]:
        """Per actor and action: who touched ``patient_id`` on the days [first_day, end_day)."""
        c = self.table.c
        return self._tallies(c.actor_id, c.patient_id == patient_id, scope, first_day,
                             end_day)

    def clear(self) -> None:
        self.session.execute(delete(self.table))

    def _tallies(self, key: Any, subject: ColumnElement[bool], scope: Scope, first_day: date,
                 end_day: date) -> list[AccessTally]:
        c = self.table.c
        query = select(key, c.action, func.sum(c.records), func.min(c.first_at),
                       func.max(c.last_at)).where(subject, c.day >= first_day, c.day < end_day)
        if not scope.all_practices:
            query = query.where(c.org_id == scope.org_id)
        rows = self.session.execute(query.group_by(key, c.action)).all()
        return [AccessTally(row[0], Action(row[1]), int(row[2]), row[3], row[4])
                for row in rows]

    def _upsert(self) -> Any:
        statement = insert_on_conflict(self.session, self.table)
        if self.session.get_bind().dialect.name == "sqlite":
            # SQLite's min() and max() with two arguments are the scalar functions.
            earliest, latest = func.min, func.max
        else:
            earliest, latest = func.least, func.greatest
        new, c = statement.excluded, self.table.c
        return statement.on_conflict_do_update(index_elements=list(_KEY), set_={
            "records": c.records + new.records,
            "first_at": earliest(c.first_at, new.first_at),
            "last_at": latest(c.last_at, new.last_at)})


class RollupRecount:
    """A temporary table to recount the rollups into, compared with the kept ones."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.table = Table("access_rollups_recount", MetaData(), *access_rollup_columns(),
                           prefixes=["TEMPORARY"])

    def __enter__(self) -> AccessRollups:
        self.table.create(self.session.connection())
        return AccessRollups(self.session, self.table)

    def __exit__(self, *exc: object) -> None:
        self.table.drop(self.session.connection())

    def differing_keys(self, limit: int = 20) -> tuple[int, list[dict[str, Any]]]:
        """(rows that differ either way, up to ``limit`` of their keys)."""
        kept, recounted = select(access_rollups), select(self.table)
        only_kept = kept.except_(recounted).subquery()
        only_recounted = recounted.except_(kept).subquery()
        count = sum(self.session.execute(select(func.count()).select_from(side)).scalar_one()
                    for side in (only_kept, only_recounted))
        keys = [dict(row._mapping) for side in (only_kept, only_recounted)
                for row in self.session.execute(
                    select(*(side.c[k] for k in _KEY)).limit(limit)).all()]
        return count, keys[:limit]


def pause_ingest(session: Session) -> None:
    """Hold every chain head, as each ingest does for its partition, until the commit."""
    session.execute(select(chain_heads.c.partition).order_by(chain_heads.c.partition)
                    .with_for_update()).all()


def stored_envelopes(session: Session, chunk: int = 20_000
                     ) -> Iterator[list[tuple[str | None, str]]]:
    """(practice, envelope) of every stored event, in arrival order, ``chunk`` at a time."""
    c, after = audit_events.c, 0
    while True:
        rows = session.execute(select(c.seq, c.org_id, c.envelope).where(
            c.seq > after, c.actor_id.is_not(None)).order_by(c.seq).limit(chunk)).all()
        if not rows:
            return
        after = rows[-1].seq
        yield [(row.org_id, row.envelope) for row in rows]


def _row(key: RollupKey, tally: RollupTally) -> dict[str, Any]:
    return {"actor_id": key.actor_id, "org_id": key.org_id, "day": key.day,
            "patient_id": key.patient_id, "action": key.action.value,
            "records": tally.records, "first_at": tally.first_at, "last_at": tally.last_at}


def _sort_key(key: RollupKey) -> tuple[str, str, date, str, str]:
    return (key.actor_id, key.org_id, key.day, key.patient_id, key.action.value)
