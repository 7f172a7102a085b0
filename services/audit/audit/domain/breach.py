"""HIPAA breach assessment: how many were affected, who must be told, and by when.

The breach notification rule (45 CFR 164.404-408), as DOMAIN.md states it:
- individuals: without unreasonable delay, no later than 60 days after discovery;
- 500 or more affected: HHS without unreasonable delay and no later than 60 days after
  discovery, with the individual notices; the media too in each state with MORE than
  500 residents affected;
- fewer than 500: log it and report it to HHS no later than 60 days after the end of the
  calendar year of discovery (1 March, or 29 February when that year is a leap year).
The dates are the latest allowed; "without unreasonable delay" may mean sooner.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

HHS_IMMEDIATE_THRESHOLD = 500  # this many or more: tell HHS within 60 days of discovery
MEDIA_THRESHOLD = 500  # MORE than this many residents of one state: tell that state's media
NOTICE_PERIOD = timedelta(days=60)


class Recipient(StrEnum):
    INDIVIDUALS = "individuals"
    HHS = "hhs"
    MEDIA = "media"


@dataclass(frozen=True)
class AffectedIndividual:
    patient_id: str
    state: str | None  # two-letter state of residence, None when unknown


@dataclass(frozen=True)
class Notice:
    to: Recipient
    due: date  # the last day allowed
    instruction: str
    state: str | None = None  # for media notices


@dataclass(frozen=True)
class BreachAssessment:
    discovered_on: date
    affected_count: int
    per_state: dict[str, int]
    unknown_state_count: int
    reaches_500: bool
    notices: tuple[Notice, ...]
    notes: tuple[str, ...] = ()

    def due(self, to: Recipient) -> date | None:
        return next((n.due for n in self.notices if n.to is to), None)

    @property
    def media_states(self) -> tuple[str, ...]:
        return tuple(n.state for n in self.notices if n.to is Recipient.MEDIA and n.state)

    @property
    def media_notice_required_states(self) -> tuple[str, ...]:
        """The states with MORE than 500 affected residents: their media must be told
        (45 CFR 164.406), within 60 days of discovery."""
        return tuple(state for state, n in self.per_state.items() if n > MEDIA_THRESHOLD)


def annual_report_deadline(discovered_on: date) -> date:
    """60 days after 31 December of the year of discovery."""
    return date(discovered_on.year, 12, 31) + NOTICE_PERIOD


def assess_breach(affected: Iterable[AffectedIndividual], discovered_on: date) -> BreachAssessment:
    """Count the affected individuals (each patient once) and list the notices owed."""
    if isinstance(discovered_on, datetime):
        # A datetime's date depends on its zone; the caller decides the calendar day.
        raise TypeError("discovered_on must be a date, not a datetime")
    states: dict[str, str | None] = {}
    for person in affected:
        state = (person.state or "").strip().upper() or None
        # The same patient may appear in several affected records; count them once.
        if states.get(person.patient_id) is None:
            states[person.patient_id] = state

    per_state = dict(sorted(Counter(s for s in states.values() if s).items()))
    unknown = sum(1 for s in states.values() if s is None)
    count = len(states)
    reaches_500 = count >= HHS_IMMEDIATE_THRESHOLD
    within_60 = discovered_on + NOTICE_PERIOD

    notices: list[Notice] = []
    if count:
        notices.append(
            Notice(
                Recipient.INDIVIDUALS,
                within_60,
                "Notify each affected individual without unreasonable delay.",
            )
        )
    if reaches_500:
        notices.append(
            Notice(
                Recipient.HHS,
                within_60,
                "Notify HHS without unreasonable delay, with the individual notices.",
            )
        )
        notices.extend(
            Notice(
                Recipient.MEDIA,
                within_60,
                f"Notify prominent media outlets serving {state} ({n} residents affected).",
                state,
            )
            for state, n in per_state.items()
            if n > MEDIA_THRESHOLD
        )
    elif count:
        notices.append(
            Notice(
                Recipient.HHS,
                annual_report_deadline(discovered_on),
                f"Log the breach and report it to HHS within 60 days after the "
                f"end of {discovered_on.year}.",
            )
        )

    notes: list[str] = []
    if unknown:
        notes.append(
            f"{unknown} affected individuals have no state on record; find where "
            "they live before ruling out a media notice."
        )
    return BreachAssessment(
        discovered_on, count, per_state, unknown, reaches_500, tuple(notices), tuple(notes)
    )
