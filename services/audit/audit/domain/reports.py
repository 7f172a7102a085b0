"""Access reports: every patient a user touched, or every user who touched a patient.

A suspected breach starts with "which data did this profile access, including which
patients and how many records". The user report answers that; the patient report is its
inverse (who touched this patient's records). Both count records, not events, broken
down by action, with the first and last access. The window is half-open, [start, end),
so consecutive windows never count an access twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from audit.domain.access import AccessFact, Action
from audit.domain.clock import as_utc


class ReportSubject(StrEnum):
    USER = "user"  # rows are patients
    PATIENT = "patient"  # rows are users


@dataclass(frozen=True)
class AccessRow:
    key: str  # a patient id in a user report, an actor id in a patient report
    records: int
    by_action: dict[Action, int]
    first_access: datetime
    last_access: datetime


@dataclass(frozen=True)
class AccessReport:
    subject: ReportSubject
    subject_id: str
    window_start: datetime
    window_end: datetime
    rows: tuple[AccessRow, ...]  # most records first, then by key
    total_records: int
    by_action: dict[Action, int]
    first_access: datetime | None
    last_access: datetime | None


def build_user_access_report(
    facts: Iterable[AccessFact], actor_id: str, start: datetime, end: datetime
) -> AccessReport:
    """Every patient ``actor_id`` touched in [start, end), with record counts."""
    return _build(
        facts,
        ReportSubject.USER,
        actor_id,
        start,
        end,
        matches=lambda f: f.actor_id == actor_id,
        key=lambda f: f.patient_id,
    )


def build_patient_access_report(
    facts: Iterable[AccessFact], patient_id: str, start: datetime, end: datetime
) -> AccessReport:
    """Every user who touched ``patient_id``'s records in [start, end)."""
    return _build(
        facts,
        ReportSubject.PATIENT,
        patient_id,
        start,
        end,
        matches=lambda f: f.patient_id == patient_id,
        key=lambda f: f.actor_id,
    )


@dataclass(frozen=True)
class AccessTally:
    """Records of one action under one row key, with the first and last access."""

    key: str
    action: Action
    records: int
    first_access: datetime
    last_access: datetime


def report_from_tallies(
    tallies: Iterable[AccessTally],
    subject: ReportSubject,
    subject_id: str,
    start: datetime,
    end: datetime,
) -> AccessReport:
    """The report of tallies already narrowed to the subject and to [start, end)."""
    start, end = as_utc(start, "start"), as_utc(end, "end")
    if end <= start:
        raise ValueError("a report window must end after it starts")
    counts: dict[str, Counter[Action]] = {}
    first: dict[str, datetime] = {}
    last: dict[str, datetime] = {}
    for tally in tallies:
        k = tally.key
        counts.setdefault(k, Counter())[tally.action] += tally.records
        earliest = as_utc(tally.first_access, "first_access")
        latest = as_utc(tally.last_access, "last_access")
        first[k] = min(first.get(k, earliest), earliest)
        last[k] = max(last.get(k, latest), latest)

    rows = tuple(
        sorted(
            (
                AccessRow(k, c.total(), _all_actions(c), first[k], last[k])
                for k, c in counts.items()
            ),
            key=lambda r: (-r.records, r.key),
        )
    )
    totals: Counter[Action] = Counter()
    for c in counts.values():
        totals.update(c)
    return AccessReport(
        subject,
        subject_id,
        start,
        end,
        rows,
        totals.total(),
        _all_actions(totals),
        min(first.values(), default=None),
        max(last.values(), default=None),
    )


def tallies_of_facts(
    facts: Iterable[AccessFact],
    start: datetime,
    end: datetime,
    matches: Callable[[AccessFact], bool],
    key: Callable[[AccessFact], str],
) -> Iterator[AccessTally]:
    """One tally per matching fact that happened in [start, end)."""
    start, end = as_utc(start, "start"), as_utc(end, "end")
    for fact in facts:
        at = as_utc(fact.occurred_at, "occurred_at")
        if matches(fact) and start <= at < end:
            yield AccessTally(key(fact), fact.action, fact.record_count, at, at)


def _build(
    facts: Iterable[AccessFact],
    subject: ReportSubject,
    subject_id: str,
    start: datetime,
    end: datetime,
    matches: Callable[[AccessFact], bool],
    key: Callable[[AccessFact], str],
) -> AccessReport:
    return report_from_tallies(tallies_of_facts(facts, start, end, matches, key), subject,
                               subject_id, start, end)


def _all_actions(counts: Counter[Action]) -> dict[Action, int]:
    # Every action present, zeros included, so rows and CSV columns line up.
    return {action: counts[action] for action in Action}
