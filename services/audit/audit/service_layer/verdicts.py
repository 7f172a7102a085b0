"""Keep each judgement's verdict and turn a change of verdict into an alert raised or resolved."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from audit.adapters.verdict_store import VerdictStore
from audit.domain.verdicts import Judgement, Verdict, change_of_verdict
from audit.service_layer.alerts import raise_alert, resolve_disproved
from servicekit.db import UnitOfWork


def settle(uow: UnitOfWork, judgement: Judgement, trigger: Mapping[str, Any]) -> None:
    """Store the verdict; raise the alert it newly finds, resolve the one it no longer does."""
    store = VerdictStore(uow.session)
    row = store.get(judgement.key)
    before = row["reason"] if row is not None and row["state"] == Verdict.UNRECOGNIZED else None
    if row is None and judgement.verdict is not Verdict.UNRECOGNIZED:
        return  # nothing found now or ever: no row needed, facts re-judge it when they come
    values = {"org_id": judgement.org_id, "profile_id": judgement.profile_id,
              "subject_key": judgement.subject_key, "state": judgement.verdict.value,
              "reason": judgement.reason, "decided_at": datetime.now(UTC),
              "event_id": trigger["id"]}
    if row is None:
        store.add(judgement.key, **values)
    elif (row["state"], row["reason"]) != (values["state"], values["reason"]):
        store.update(judgement.key, **values)
    change = change_of_verdict(before, judgement)
    if change.leaves is not None and not store.another_finds(
            org_id=judgement.org_id, subject_key=judgement.subject_key, reason=change.leaves,
            state=Verdict.UNRECOGNIZED.value, besides=judgement.key):
        resolve_disproved(uow, org_id=judgement.org_id, subject_key=judgement.subject_key,
                          reason=change.leaves, trigger=dict(trigger))
    if change.raises is not None:
        raise_alert(uow, change.raises, org_id=judgement.org_id,
                    subject_key=judgement.subject_key, profile_id=judgement.profile_id,
                    trigger=dict(trigger))
