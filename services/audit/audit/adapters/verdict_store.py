"""Each judgement's current verdict (``recognition_verdicts``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.adapters.tables import recognition_verdicts as verdicts


class VerdictStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> dict[str, Any] | None:
        row = self.session.execute(select(verdicts).where(
            verdicts.c.key == key)).mappings().first()
        return dict(row) if row is not None else None

    def add(self, key: str, **values: Any) -> None:
        self.session.execute(verdicts.insert().values(key=key, **values))

    def update(self, key: str, **values: Any) -> None:
        self.session.execute(verdicts.update().where(verdicts.c.key == key).values(**values))

    def another_finds(self, *, org_id: str | None, subject_key: str, reason: str, state: str,
                      besides: str) -> bool:
        """Another judgement of the subject still finds ``reason`` (another sign-in, say)."""
        org = verdicts.c.org_id
        query = select(verdicts.c.key).where(
            org.is_(None) if org_id is None else org == org_id,
            verdicts.c.subject_key == subject_key, verdicts.c.reason == reason,
            verdicts.c.state == state, verdicts.c.key != besides)
        return self.session.execute(query.limit(1)).first() is not None
