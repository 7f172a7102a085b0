"""Verdicts that a later fact can change, and what each change does to alerts.

Recognition judges a profile (in its practice, at its creation, entering a practice, signing
in) on the facts audit holds. A judgement is one of three: recognized, unrecognized (an
alert), or undecided (a fact it needs has not arrived: no alert yet). Every fact that could
change a judgement re-judges it; only a change of verdict does anything:

- it becomes unrecognized: the alert for its (practice, profile, reason) is raised, unless
  one is open already;
- it stops being unrecognized: the alert is resolved by the system, unless another
  judgement of the same profile still finds the same thing.

So the alerts left open depend only on the facts, not on the order they came in.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from audit.domain.recognition import Recognition


class Verdict(StrEnum):
    RECOGNIZED = "recognized"
    UNRECOGNIZED = "unrecognized"
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class Judgement:
    """One question recognition answers: ``key`` names it (``entry:<event id>``...)."""

    key: str
    org_id: str | None
    profile_id: str | None
    finding: Recognition | None  # None: undecided, a fact it needs is still missing

    @property
    def subject_key(self) -> str:
        return f"user:{self.profile_id}"

    @property
    def verdict(self) -> Verdict:
        if self.finding is None:
            return Verdict.UNDECIDED
        return Verdict.RECOGNIZED if self.finding.recognized else Verdict.UNRECOGNIZED

    @property
    def reason(self) -> str | None:
        if self.finding is None or self.verdict is not Verdict.UNRECOGNIZED:
            return None
        return self.finding.reason


@dataclass(frozen=True)
class Change:
    """What a new verdict does: ``leaves`` the reason it no longer finds, ``raises`` a finding."""

    leaves: str | None
    raises: Recognition | None

    @property
    def nothing(self) -> bool:
        return self.leaves is None and self.raises is None


def change_of_verdict(before: str | None, judgement: Judgement) -> Change:
    """``before``: the reason the judgement found last time (None: it found nothing)."""
    after = judgement.reason
    if before == after:
        return Change(None, None)
    return Change(before, judgement.finding if after is not None else None)
