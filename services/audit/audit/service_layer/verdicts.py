"""Keep each judgement's verdict and turn a change of verdict into an alert raised or resolved."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from audit.adapters.tables import recognition_verdicts as verdicts
from audit.domain.verdicts import Judgement, Verdict, change_of_verdict
from audit.service_layer.alerts import raise_alert, resolve_disproved
from servicekit.db import UnitOfWork


def settle(uow: UnitOfWork, judgement: Judgement, trigger: Mapping[str, Any]) -> None:
    """Store the verdict; raise the alert it newly finds, resolve the one it no longer does."""
    session = uow.session
    row = session.execute(select(verdicts).where(
        verdicts.c.key == judgement.key)).mappings().first()
    before = row["reason"] if row is not None and row["state"] == Verdict.UNRECOGNIZED else None
    if row is None and judgement.verdict is not Verdict.UNRECOGNIZED:
        return  # nothing found now or ever: no row needed, facts re-judge it when they come
    values = {"org_id": judgement.org_id, "profile_id": judgement.profile_id,
              "subject_key": judgement.subject_key, "state": judgement.verdict.value,
              "reason": judgement.reason, "decided_at": datetime.now(UTC),
              "event_id": trigger["id"]}
    if row is None:
        session.execute(verdicts.insert().values(key=judgement.key, **values))
    elif (row["state"], row["reason"]) != (values["state"], values["reason"]):
        session.execute(verdicts.update().where(verdicts.c.key == judgement.key).values(**values))
    change = change_of_verdict(before, judgement)
    if change.leaves is not None and not _still_found(uow, judgement, change.leaves):
        resolve_disproved(uow, org_id=judgement.org_id, subject_key=judgement.subject_key,
                          reason=change.leaves, trigger=dict(trigger))
    if change.raises is not None:
        raise_alert(uow, change.raises, org_id=judgement.org_id,
                    subject_key=judgement.subject_key, profile_id=judgement.profile_id,
                    trigger=dict(trigger))


def _still_found(uow: UnitOfWork, judgement: Judgement, reason: str) -> bool:
    """Another judgement of the same profile still finds ``reason`` (another sign-in, say)."""
    org = verdicts.c.org_id
    query = select(verdicts.c.key).where(
        org.is_(None) if judgement.org_id is None else org == judgement.org_id,
        verdicts.c.subject_key == judgement.subject_key, verdicts.c.reason == reason,
        verdicts.c.state == Verdict.UNRECOGNIZED.value, verdicts.c.key != judgement.key)
    return uow.session.execute(query.limit(1)).first() is not None
