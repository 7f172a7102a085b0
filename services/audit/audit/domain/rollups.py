"""Access rollups: the access facts summed per (practice, actor, patient, action, UTC day).

A report over [start, end) takes whole the all-days total of every key (patient or user,
and action) whose first and last access lie inside the window. The keys the window cuts
come from the rollups of the days that lie wholly inside it and the records of the at most
two days it cuts (its edge days). Every count, first and last access stays exact for any
window; a window over all of a subject's history reads one row per key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from audit.domain.access import AccessFact, Action
from audit.domain.clock import as_utc
from audit.domain.reports import AccessTally

# A rollup key for an event without a practice (None cannot be part of a primary key).
NO_PRACTICE = ""


@dataclass(frozen=True)
class WindowParts:
    """[start, end) as whole UTC days [first_day, end_day) and the partial edges around them."""

    first_day: date | None  # None when no whole day lies inside the window
    end_day: date | None  # exclusive
    edges: tuple[tuple[datetime, datetime], ...]  # half-open, read from the records


def day_of(moment: datetime) -> date:
    return as_utc(moment, "moment").date()


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def split_window(start: datetime, end: datetime) -> WindowParts:
    """Cut [start, end) into whole days and the partial days at its edges."""
    start, end = as_utc(start, "start"), as_utc(end, "end")
    if end <= start:
        raise ValueError("a report window must end after it starts")
    first = day_of(start) if start == start_of(day_of(start)) else day_of(start) + timedelta(1)
    last = day_of(end)  # the day ``end`` falls in is whole only up to ``end``: an edge
    if first >= last:
        return WindowParts(None, None, ((start, end),))
    edges = []
    if start < start_of(first):
        edges.append((start, start_of(first)))
    if start_of(last) < end:
        edges.append((start_of(last), end))
    return WindowParts(first, last, tuple(edges))


@dataclass(frozen=True)
class RollupKey:
    org_id: str
    actor_id: str
    patient_id: str
    action: Action
    day: date


@dataclass
class RollupTally:
    records: int
    first_at: datetime
    last_at: datetime

    def add(self, records: int, first_at: datetime, last_at: datetime) -> None:
        self.records += records
        self.first_at = min(self.first_at, first_at)
        self.last_at = max(self.last_at, last_at)


def roll_up(facts: Iterable[tuple[str | None, AccessFact]]) -> dict[RollupKey, RollupTally]:
    """Sum (practice, fact) pairs into one tally per rollup key."""
    tallies: dict[RollupKey, RollupTally] = {}
    for org_id, fact in facts:
        at = as_utc(fact.occurred_at, "occurred_at")
        key = RollupKey(org_id or NO_PRACTICE, fact.actor_id, fact.patient_id, fact.action,
                        at.date())
        tally = tallies.get(key)
        if tally is None:
            tallies[key] = RollupTally(fact.record_count, at, at)
        else:
            tally.add(fact.record_count, at, at)
    return tallies


def totals_inside(
    totals: Iterable[AccessTally], start: datetime, end: datetime
) -> tuple[list[AccessTally], set[tuple[str, Action]]]:
    """Split all-days totals by [start, end): those whose first and last access both lie in
    it count whole; the keys of those the window cuts are to be counted day by day."""
    start, end = as_utc(start, "start"), as_utc(end, "end")
    inside: list[AccessTally] = []
    cut: set[tuple[str, Action]] = set()
    for total in totals:
        if start <= total.first_access and total.last_access < end:
            inside.append(total)
        elif total.first_access < end and total.last_access >= start:
            cut.add((total.key, total.action))
    return inside, cut
