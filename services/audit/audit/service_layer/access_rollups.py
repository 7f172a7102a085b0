"""Keeping the access rollups: with each record, rebuilt from the record, checked against it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from audit.adapters.rollup_store import (
    AccessRollups,
    RollupRecount,
    pause_ingest,
    stored_envelopes,
)
from audit.domain.access import AccessFact, access_facts_from_event
from audit.domain.rollups import roll_up

log = logging.getLogger(__name__)


def roll_up_accesses(session: Session, envelopes: Iterable[Mapping[str, Any]]) -> None:
    """Add the accesses these envelopes record to the rollups, in the caller's transaction.

    Called with each stored record (``record_event``); a batch of envelopes is summed
    first, so it costs one upsert per rollup key it touches.
    """
    tallies = roll_up((e.get("org_id"), fact) for e in envelopes for fact in access_facts(e))
    if tallies:
        AccessRollups(session).add(tallies)


@dataclass(frozen=True)
class RollupCheck:
    differing_rows: int
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return self.differing_rows == 0


def rebuild_access_rollups(session: Session) -> None:
    """Recount every rollup from the stored record (after a restore, or to repair)."""
    recount_day_rollups(session)
    AccessRollups(session).total_the_days()


def recount_day_rollups(session: Session) -> None:
    """Recount the day rows alone (migration 0011; the totals came with 0013)."""
    pause_ingest(session)
    rollups = AccessRollups(session)
    rollups.clear(totals=False)
    _recount_into(session, rollups)


def check_access_rollups(session: Session) -> RollupCheck:
    """Recount the rollups from the stored record and compare them with the kept ones."""
    pause_ingest(session)
    recount = RollupRecount(session)
    with recount as scratch:
        _recount_into(session, scratch)
        differing, examples = recount.differing_keys()
    return RollupCheck(differing, examples)


def _recount_into(session: Session, rollups: AccessRollups) -> None:
    for chunk in stored_envelopes(session):
        tallies = roll_up((org_id, fact) for org_id, envelope in chunk
                          for fact in access_facts(json.loads(envelope)))
        rollups.add(tallies, totals=False)


def access_facts(envelope: Mapping[str, Any]) -> list[AccessFact]:
    """The envelope's access facts; none when its data cannot be read as an access.

    The record keeps such an event whatever its data holds (it is stored once, never
    refused here), and the rollups and the reports' edge days read it the same way.
    """
    try:
        return access_facts_from_event(envelope)
    except (TypeError, ValueError, KeyError, AttributeError):
        log.warning("an event's data cannot be read as an access; not counted",
                    extra={"event_id": envelope.get("id"), "type": envelope.get("type")})
        return []
