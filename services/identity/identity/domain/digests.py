"""The digests: who receives which, over which period, and the figures each one reports.

The dental seed: the owner receives the Practice Digest (usage and treatment planning for
the practice and each practitioner), practitioners the Practitioner Digest (their own), Front
Desk none ("Digests not available for this role"); Practice Digests go to Admins only,
"weekly by default and daily if selected". A period is a calendar day, or a week from Monday,
in UTC. The worker sends each period once it has ended; ``--now`` sends the period in course.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from identity.domain import activity as a
from identity.domain.notifications import Choices
from identity.domain.roles import RoleProfile

PRACTICE_DIGEST = "practice_digest"
PRACTITIONER_DIGEST = "practitioner_digest"
WEEKLY, DAILY = "weekly", "daily"

# What each digest reports, in the order the mail lists it.
LABELS: Mapping[str, str] = {
    a.NOTES_FINALIZED: "Notes finalized",
    a.DOCUMENTS_SHARED: "Documents shared",
    a.DOCUMENTS_VIEWED: "Shared documents viewed",
    a.INVITATIONS_SENT: "Invitations sent",
    a.INVITATIONS_ACCEPTED: "Invitations accepted",
    a.PLANS_SENT: "Treatment plans sent",
    a.PLANS_OPENED: "Treatment plans opened",
    a.PLANS_PROCEEDED: "Treatment plans proceeded with",
    a.PAYMENT_PLANS_REQUESTED: "Payment plans requested",
    a.PAYMENT_PLANS_ACCEPTED: "Payment plans accepted",
}
REPORTED: Mapping[str, tuple[str, ...]] = {
    PRACTICE_DIGEST: tuple(LABELS),
    PRACTITIONER_DIGEST: tuple(m for m in LABELS
                               if m not in (a.INVITATIONS_SENT, a.INVITATIONS_ACCEPTED)),
}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # the last day it covers

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def frequency_of(digest: str, practice_frequency: str) -> str:
    """The Practice Digest follows the practice's setting; the Practitioner Digest is weekly."""
    return practice_frequency if digest == PRACTICE_DIGEST else WEEKLY


def period_in_course(frequency: str, today: date) -> Period:
    if frequency == DAILY:
        return Period(today, today)
    monday = today - timedelta(days=today.weekday())
    return Period(monday, monday + timedelta(days=6))


def last_ended_period(frequency: str, today: date) -> Period:
    """The most recent period that has ended by ``today``: yesterday, or last week."""
    step = timedelta(days=1 if frequency == DAILY else 7)
    current = period_in_course(frequency, today)
    return Period(current.start - step, current.start - timedelta(days=1))


def digests_for(profile: RoleProfile, choices: Choices) -> frozenset[str]:
    """The digests a person receives: their choices, within what their role and level offer
    (nothing for Front Desk, the Practice Digest for Admins only)."""
    return choices.digests & profile.digests_available


@dataclass(frozen=True)
class Figure:
    count: int = 0
    values: Mapping[str, int] = field(default_factory=dict)  # currency -> cents


@dataclass(frozen=True)
class DigestFigures:
    """One digest's numbers: its own line per metric, and per practitioner where reported."""

    totals: Mapping[str, Figure]
    by_person: Mapping[str, Mapping[str, Figure]] = field(default_factory=dict)  # name -> ...


def money(values: Mapping[str, int]) -> str:
    return ", ".join(f"{cents / 100:,.2f} {currency or ''}".strip()
                     for currency, cents in sorted(values.items()) if cents)


def figure_lines(digest: str, figures: Mapping[str, Figure]) -> list[str]:
    """``Treatment plans sent: 3 (value 4,200.00 AUD)`` for each metric the digest reports."""
    lines = []
    for metric in REPORTED[digest]:
        figure = figures.get(metric, Figure())
        value = money(figure.values) if metric in a.VALUED else ""
        lines.append(f"{LABELS[metric]}: {figure.count}" + (f" (value {value})" if value else ""))
    return lines
