"""The security stream's rules: which records a consumer wants, and how far it is safe to read.

Records are numbered by their arrival position (``seq``). On PostgreSQL several consumer
replicas write at once, so position 41 may commit after 42: a reader that moved its cursor
to 42 would never see 41. The stream therefore reads only up to the *safe horizon*: the
highest position below which every position is present, or missing for longer than a grace
period (a transaction rolled back, so the position never fills; a writer whose later
position was received that long ago cannot still be holding an earlier one open).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from audit.domain.clock import as_utc

ALERT_TYPE = "audit.alert.raised"


@dataclass(frozen=True)
class StreamFilter:
    """Type prefixes (any of them; none: every type) and alert severities (none: any)."""

    type_prefixes: tuple[str, ...] = ()
    severities: frozenset[str] = frozenset()

    @property
    def alerts_only(self) -> bool:
        # Only alerts have a severity: asking for one asks for alerts.
        return bool(self.severities)

    def wants(self, event_type: str, severity: str | None) -> bool:
        if self.type_prefixes and not event_type.startswith(self.type_prefixes):
            return False
        if self.alerts_only:
            return event_type == ALERT_TYPE and severity in self.severities
        return True


def safe_horizon(
    after: int, present: Iterable[tuple[int, datetime]], now: datetime, grace: timedelta
) -> int:
    """The last position that may be delivered after ``after``.

    ``present`` are the stored (position, received_at) after ``after``, in position order.
    """
    now = as_utc(now, "now")
    horizon = after
    for position, received_at in present:
        if position != horizon + 1 and now - as_utc(received_at, "received_at") < grace:
            break  # a hole that may still fill: stop before it and look again later
        horizon = position
    return horizon
