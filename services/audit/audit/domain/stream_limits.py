"""How many security streams may be open: per caller, and per API worker.

A stream holds one API thread for as long as it is open. Two bounds keep streams from taking
the audit API away from everyone else: each caller (a person or a service account) may hold
``per_caller`` streams at once, and each worker keeps ``reserved`` threads that streams never
take, so health checks, reports and the record stay answerable however many streams are open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from audit.domain.clock import as_utc

# A stream renews its place at every heartbeat; one not renewed for this many heartbeats
# belongs to a process that died, and its place is free again.
STALE_AFTER_HEARTBEATS = 3


@dataclass(frozen=True)
class StreamAllowance:
    """A caller's places for open streams: numbered 0 .. per_caller - 1."""

    per_caller: int
    heartbeat: timedelta

    @property
    def slots(self) -> range:
        return range(self.per_caller)

    @property
    def stale_after(self) -> timedelta:
        return self.heartbeat * STALE_AFTER_HEARTBEATS

    def is_stale(self, seen_at: datetime, now: datetime) -> bool:
        return as_utc(now, "now") - as_utc(seen_at, "seen_at") > self.stale_after

    @property
    def freed_within(self) -> timedelta:
        """How soon a closed stream gives its place back: the server learns of the close when
        a write fails, which may take a second heartbeat."""
        return self.heartbeat * 2


def streams_per_worker(threads: int, reserved: int) -> int:
    """The streams one worker serves at once: its threads but the reserved ones (at least 1)."""
    return max(1, threads - reserved)
