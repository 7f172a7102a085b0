"""A profile as of a moment: the fold of identity's statements about it, in time order.

Identity states a profile in pieces (created, permissions_changed, deactivated...), and the
pieces may reach audit in any order. Folding them by the time identity made them, not by
when they arrived, gives the same profile whatever the order; folding only those up to a
moment gives the profile as it was then (a creator's permissions when they created
someone, an account's status when it signed in). Two statements of the same moment are
folded in permission-version order (identity counts every change), then event-id order, so
even a tie ends the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from audit.domain.clock import as_utc


@dataclass(frozen=True)
class ProfileStatement:
    event_id: str
    occurred_at: datetime
    changes: Mapping[str, str]  # only the fields the statement states
    org_id: str | None = None


def profile_as_of(
    statements: Iterable[ProfileStatement], at: datetime | None = None
) -> dict[str, str | None] | None:
    """The profile's fields stated up to ``at`` (all of them when None); None if none was."""
    ordered = sorted(statements, key=_fold_order)
    if at is not None:
        ordered = [s for s in ordered if as_utc(s.occurred_at) <= as_utc(at, "at")]
    if not ordered:
        return None
    folded: dict[str, str | None] = {"org_id": None}
    for statement in ordered:
        if statement.org_id is not None:
            folded["org_id"] = statement.org_id
        folded.update(statement.changes)
    return folded


def is_complete(profile: Mapping[str, str | None] | None) -> bool:
    """Enough to judge: identity stated the address (a change alone does not)."""
    return profile is not None and bool(profile.get("email"))


def _fold_order(statement: ProfileStatement) -> tuple[datetime, int, str]:
    version = str(statement.changes.get("permission_version") or "")
    return (as_utc(statement.occurred_at), int(version) if version.isdigit() else -1,
            statement.event_id)
