"""Who is mailed when a treatment plan event happens, and what a person may choose to get.

The defaults and what each role may turn on come from the role profiles (the dental seed):
the owner gets every "Proceed with Treatment plan", Front Desk the payment plan requests and
acceptances and "Proceed with Plan", a practitioner nothing by default and, if they turn it
on, only the events of their own patients' plans. A person's own choices replace the
defaults; a choice their role no longer offers (after a role change) simply does not count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from identity.domain.errors import InvalidRequest
from identity.domain.roles import RoleProfile

PLAN_EVENT_PREFIX = "notes.treatment_plan."

# The events people are mailed about, and the seed's names for them: "Proceed with
# Treatment plan" (owner) and "Proceed with Plan" (Front Desk) are the same choice.
NOTIFYING_EVENTS: Mapping[str, frozenset[str]] = {
    "notes.treatment_plan.proceeded": frozenset({"proceed_with_treatment_plan",
                                                 "proceed_with_plan"}),
    "notes.treatment_plan.payment_plan_requested": frozenset({"payment_plan_requested"}),
    "notes.treatment_plan.payment_plan_accepted": frozenset({"payment_plan_accepted"}),
}


@dataclass(frozen=True)
class Choices:
    """What a person receives: notification codes and digest codes."""

    notifications: frozenset[str]
    digests: frozenset[str]


def effective_choices(profile: RoleProfile, stored: Choices | None) -> Choices:
    """The person's own choices where they made them, else the role's defaults; only what
    the role offers counts."""
    chosen = stored or Choices(profile.notifications, profile.digests)
    return Choices(chosen.notifications & profile.notifications_available,
                   chosen.digests & profile.digests_available)


def changed_choices(profile: RoleProfile, current: Choices,
                    notifications: Mapping[str, bool], digests: Mapping[str, bool]) -> Choices:
    """Turn choices on or off; one the role does not offer is refused, naming what it does."""
    _require_offered("notifications", notifications, profile.notifications_available)
    _require_offered("digests", digests, profile.digests_available)
    return Choices(_switched(current.notifications, notifications),
                   _switched(current.digests, digests))


def _require_offered(field: str, asked: Mapping[str, bool], offered: frozenset[str]) -> None:
    refused = sorted(code for code, on in asked.items() if on and code not in offered)
    if refused:
        offer = ", ".join(sorted(offered)) or "none"
        raise InvalidRequest(
            f"Your role does not offer {', '.join(refused)}. Choose among: {offer}.",
            {"field": field, "not_available": refused, "available": sorted(offered)})


def _switched(current: frozenset[str], asked: Mapping[str, bool]) -> frozenset[str]:
    return frozenset({*current, *(c for c, on in asked.items() if on)}
                     - {c for c, on in asked.items() if not on})


def is_notified(event_type: str, profile: RoleProfile, choices: Choices, *, user_id: str,
                practitioner_user_id: str | None) -> bool:
    """Whether this person is mailed about this event of a plan of that practitioner."""
    codes = NOTIFYING_EVENTS.get(event_type, frozenset())
    if not codes & choices.notifications:
        return False
    return profile.notification_scope == "practice" or user_id == practitioner_user_id
