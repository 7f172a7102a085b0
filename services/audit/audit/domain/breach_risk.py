"""The four-factor risk assessment of 45 CFR 164.402(2): is it a breach that must be notified?

An impermissible use or disclosure of PHI is presumed to be a breach unless the practice
shows a low probability that the PHI was compromised, weighing at least:
1. the nature and extent of the PHI involved (identifiers, sensitivity, re-identification);
2. the unauthorized person who used it or to whom it was disclosed;
3. whether the PHI was actually acquired or viewed;
4. the extent to which the risk has been mitigated.

The platform's rule is the conservative reading: the probability is low only when every one
of the four factors is rated low; a factor not rated, or rated higher, leaves the presumption
standing. Factor 3 cannot be rated low against the record: when the audit record shows the
suspect profiles touching records, they were acquired or viewed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Factor(StrEnum):
    NATURE_AND_EXTENT = "nature_and_extent"
    UNAUTHORIZED_PERSON = "unauthorized_person"
    ACQUIRED_OR_VIEWED = "acquired_or_viewed"
    MITIGATION = "mitigation"


class Rating(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Compromise(StrEnum):
    LOW = "low"
    NOT_LOW = "not_low"


@dataclass(frozen=True)
class FactorRating:
    factor: Factor
    rating: Rating
    rationale: str


@dataclass(frozen=True)
class RiskAssessment:
    ratings: tuple[FactorRating, ...]  # as given, in the rule's order
    probability_of_compromise: Compromise
    notification_required: bool
    records_touched: int  # by the suspect profiles, from the audit record
    notes: tuple[str, ...] = ()


def assess_compromise_risk(
    ratings: Iterable[FactorRating], records_touched: int = 0
) -> RiskAssessment:
    """Weigh the four factors; anything short of four low ratings means notify."""
    given: dict[Factor, FactorRating] = {}
    for rating in ratings:
        if rating.factor in given:
            raise ValueError(f"factor {rating.factor.value} is rated twice; rate it once")
        given[rating.factor] = rating
    notes: list[str] = []
    missing = [f.value for f in Factor if f not in given]
    if missing:
        notes.append(f"Not rated: {', '.join(missing)}. Without all four factors the "
                     "incident is presumed to be a breach.")
    low = {f for f, r in given.items() if r.rating is Rating.LOW}
    viewed = given.get(Factor.ACQUIRED_OR_VIEWED)
    if viewed is not None and viewed.rating is Rating.LOW and records_touched > 0:
        low.discard(Factor.ACQUIRED_OR_VIEWED)
        notes.append(f"The audit record shows the suspect profiles touched {records_touched} "
                     "records, so acquired_or_viewed cannot be low.")
    if low == set(Factor):
        notes.append("Low probability of compromise: no notification is owed. Keep this "
                     "assessment for six years; it is the proof that none was needed.")
        probability = Compromise.LOW
    else:
        probability = Compromise.NOT_LOW
    ordered = tuple(given[f] for f in Factor if f in given)
    return RiskAssessment(ordered, probability, probability is Compromise.NOT_LOW,
                          records_touched, tuple(notes))
