"""Storing a practice's Admin-only settings areas, one JSON row per practice and area."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from identity.adapters.tables import practice_settings, practices
from servicekit.db import rowcount


class PracticeSettingsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def stored(self, practice_id: str, area: str) -> dict[str, Any] | None:
        return self.session.execute(
            select(practice_settings.c.settings).where(
                practice_settings.c.practice_id == practice_id,
                practice_settings.c.area == area)
        ).scalar_one_or_none()

    def save(self, practice_id: str, area: str, settings: dict[str, Any], *,
             updated_by: str, now: datetime) -> None:
        values = {"settings": settings, "updated_at": now, "updated_by": updated_by}
        done = self.session.execute(update(practice_settings).where(
            practice_settings.c.practice_id == practice_id,
            practice_settings.c.area == area).values(**values))
        if rowcount(done) == 0:
            self.session.execute(practice_settings.insert().values(
                practice_id=practice_id, area=area, **values))

    def rename_practice(self, practice_id: str, name: str) -> None:
        self.session.execute(update(practices).where(practices.c.id == practice_id)
                             .values(name=name))
