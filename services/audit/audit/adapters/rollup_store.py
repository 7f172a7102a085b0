"""The access rollups (``access_rollups``): upserted with each record, summed by reports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, MetaData, Select, Table, delete, func, insert, select
from sqlalchemy.orm import Session

from audit.adapters.tables import (
    access_rollup_columns,
    access_rollups,
    access_totals,
    audit_events,
    chain_heads,
)
from audit.domain.access import Action
from audit.domain.reports import AccessTally
from audit.domain.rollups import RollupKey, RollupTally
from audit.domain.scope import Scope
from servicekit.db import insert_on_conflict

_DAY_KEY = ("actor_id", "org_id", "day", "patient_id", "action")
_TOTAL_KEY = ("actor_id", "org_id", "patient_id", "action")


class AccessRollups:
    """The day rows (``access_rollups``) and the all-days totals (``access_totals``)."""

    def __init__(self, session: Session, table: Table = access_rollups) -> None:
        self.session, self.table = session, table

    def add(self, tallies: dict[RollupKey, RollupTally], *, totals: bool = True) -> None:
        """Add the tallies to their day rows and (``totals``) to the all-days totals: new
        keys inserted, others summed. A recount totals the days once at its end instead."""
        # Keys in one order, so two transactions never wait on each other's rows in a cycle.
        rows = [_row(key, tally) for key, tally in
                sorted(tallies.items(), key=lambda item: _sort_key(item[0]))]
        if not rows:
            return
        # One statement each, compiled once and cached, its rows sent as a batch.
        self.session.execute(self._upsert(self.table, _DAY_KEY), rows)
        if totals:
            self.session.execute(self._upsert(access_totals, _TOTAL_KEY), _totals(rows))

    def of_user(self, scope: Scope, actor_id: str, first_day: date, end_day: date
                ) -> list[AccessTally]:
        """Per patient and action: what ``actor_id`` did on the days [first_day, end_day)."""
        c = self.table.c
        return self._tallies(self.table, c.patient_id, scope, c.actor_id == actor_id,
                             c.day >= first_day, c.day < end_day)

    def of_patient(self, scope: Scope, patient_id: str, first_day: date, end_day: date
                   ) -> list[AccessTally]:
        """Per actor and action: who touched ``patient_id`` on the days [first_day, end_day)."""
        c = self.table.c
        return self._tallies(self.table, c.actor_id, scope, c.patient_id == patient_id,
                             c.day >= first_day, c.day < end_day)

    def totals_of_user(self, scope: Scope, actor_id: str) -> list[AccessTally]:
        """Per patient and action: all ``actor_id`` ever did, with the first and last time."""
        c = access_totals.c
        return self._tallies(access_totals, c.patient_id, scope, c.actor_id == actor_id)

    def totals_of_patient(self, scope: Scope, patient_id: str) -> list[AccessTally]:
        """Per actor and action: everyone who ever touched ``patient_id``."""
        c = access_totals.c
        return self._tallies(access_totals, c.actor_id, scope, c.patient_id == patient_id)

    def clear(self, *, totals: bool = True) -> None:
        self.session.execute(delete(self.table))
        if totals:
            self.session.execute(delete(access_totals))

    def total_the_days(self) -> None:
        """Fill the totals afresh from the day rows (after a recount)."""
        self.session.execute(delete(access_totals))
        self.session.execute(insert(access_totals).from_select(
            [*_TOTAL_KEY, "records", "first_at", "last_at"], _summed_days()))

    def _tallies(self, table: Table, key: Any, scope: Scope, *where: ColumnElement[bool]
                 ) -> list[AccessTally]:
        c = table.c
        query = select(key, c.action, func.sum(c.records), func.min(c.first_at),
                       func.max(c.last_at)).where(*where)
        if not scope.all_practices:
            query = query.where(c.org_id == scope.org_id)
        rows = self.session.execute(query.group_by(key, c.action)).all()
        return [AccessTally(row[0], Action(row[1]), int(row[2]), row[3], row[4])
                for row in rows]

    def _upsert(self, table: Table, key: tuple[str, ...]) -> Any:
        statement = insert_on_conflict(self.session, table)
        earliest: Callable[..., Any]
        latest: Callable[..., Any]
        if self.session.get_bind().dialect.name == "sqlite":
            # SQLite's min() and max() with two arguments are the scalar functions.
            earliest, latest = func.min, func.max
        else:
            earliest, latest = func.least, func.greatest
        new, c = statement.excluded, table.c
        return statement.on_conflict_do_update(index_elements=list(key), set_={
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
        """(rows that differ either way, up to ``limit`` of their keys): the day rows against
        the recount, the totals against the sums of the day rows."""
        total_columns = [access_totals.c[k] for k in
                         (*_TOTAL_KEY, "records", "first_at", "last_at")]
        pairs = ((select(access_rollups), select(self.table), _DAY_KEY),
                 (select(*total_columns), _summed_days(), _TOTAL_KEY))
        count, keys = 0, []
        for kept, recounted, key in pairs:
            for side in (kept.except_(recounted).subquery(),
                         recounted.except_(kept).subquery()):
                count += self.session.execute(
                    select(func.count()).select_from(side)).scalar_one()
                keys += [dict(row._mapping) for row in self.session.execute(
                    select(*(side.c[k] for k in key)).limit(limit)).all()]
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


def _totals(day_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The day rows summed over their days, one row per total key, in key order."""
    totals: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in day_rows:
        key = tuple(row[k] for k in _TOTAL_KEY)
        total = totals.get(key)
        if total is None:
            totals[key] = {k: v for k, v in row.items() if k != "day"}
        else:
            total["records"] += row["records"]
            total["first_at"] = min(total["first_at"], row["first_at"])
            total["last_at"] = max(total["last_at"], row["last_at"])
    return [totals[key] for key in sorted(totals)]


def _summed_days() -> Select[Any]:
    c = access_rollups.c
    return select(c.actor_id, c.org_id, c.patient_id, c.action, func.sum(c.records),
                  func.min(c.first_at), func.max(c.last_at)).group_by(
        c.actor_id, c.org_id, c.patient_id, c.action)
