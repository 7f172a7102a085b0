"""Access facts: which actor touched which patient's records, how, when and how many.

Every read of patient data emits an access event, so the audit service can answer "which
patients and how many records did this user touch". This module turns one event envelope
(the JSON dict, as stored in the chain) into the access facts it stands for.

Mapping by the type's verb (the last part of ``<producer>.<entity>.<verb>``):
``viewed`` -> viewed; ``searched`` with ``data.patient_ids`` -> searched, one fact per
returned patient; ``created`` -> created; ``updated``/``edited`` -> edited;
``notes.note.started`` (a new note) -> created; ``notes.note.addendum_added`` -> edited;
``notes.note.finalized`` -> finalized; ``docportal.share.sent`` and ``.reshared`` -> shared;
``downloaded`` -> downloaded. Events without an actor (the platform itself) or without
a patient are not accesses. ``data.record_count`` (a positive integer) says how many
records one event touched, e.g. a share of three documents; otherwise it is one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from audit.domain.clock import as_utc, parse_utc


class Action(StrEnum):
    VIEWED = "viewed"
    SEARCHED = "searched"
    CREATED = "created"
    EDITED = "edited"
    FINALIZED = "finalized"
    SHARED = "shared"
    DOWNLOADED = "downloaded"


_BY_TYPE = {
    "notes.note.started": Action.CREATED,
    "notes.note.addendum_added": Action.EDITED,
    "notes.note.finalized": Action.FINALIZED,
    "docportal.share.sent": Action.SHARED,
    "docportal.share.reshared": Action.SHARED,
}
_BY_VERB = {
    "viewed": Action.VIEWED,
    "searched": Action.SEARCHED,
    "created": Action.CREATED,
    "updated": Action.EDITED,
    "edited": Action.EDITED,
    "downloaded": Action.DOWNLOADED,
}


@dataclass(frozen=True)
class AccessFact:
    actor_id: str
    patient_id: str
    action: Action
    event_type: str
    occurred_at: datetime
    record_count: int = 1


def action_for(event_type: str) -> Action | None:
    """The access an event type stands for, or None when it is not an access."""
    return _BY_TYPE.get(event_type) or _BY_VERB.get(event_type.rsplit(".", 1)[-1])


def access_facts_from_event(event: Mapping[str, Any]) -> list[AccessFact]:
    """The access facts in one event envelope; [] when it records no patient access."""
    action = action_for(event["type"])
    actor = event.get("actor")
    if action is None or not actor:
        return []
    data = event.get("data") or {}
    if action is Action.SEARCHED:
        # A search touches every patient it returned, not the search's own subject.
        patients = list(dict.fromkeys(str(p) for p in data.get("patient_ids") or []))
        count = 1
    else:
        patients = [event["patient_id"]] if event.get("patient_id") else []
        count = _record_count(data)
    occurred_at = _when(event["occurred_at"])
    return [
        AccessFact(str(actor["id"]), patient, action, event["type"], occurred_at, count)
        for patient in patients
    ]


def _when(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return as_utc(value, "occurred_at")
    return parse_utc(value, "occurred_at")


def _record_count(data: Mapping[str, Any]) -> int:
    count = data.get("record_count")
    # bool is an int in Python; True must not count as one record by accident.
    if isinstance(count, int) and not isinstance(count, bool) and count > 0:
        return count
    return 1
