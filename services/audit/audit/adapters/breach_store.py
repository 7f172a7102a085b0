"""Breach assessments as made: stored once, never changed, read back with their hash."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.adapters.keyset import newest_first_page
from audit.adapters.scoping import scoped
from audit.adapters.tables import breach_assessments
from audit.domain.pages import NewestFirstKey
from audit.domain.scope import Scope
from servicekit.messaging.envelope import Actor

# What the row keeps in columns of its own; the rest of the document is its ``result``.
_COLUMN_KEYS = ("id", "org_id", "created_at", "created_by", "discovered_on", "inputs",
                "affected_count", "reaches_500", "content_hash")


class BreachAssessmentStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, document: dict[str, Any], *, by: Actor, at: datetime, discovered_on: date
            ) -> None:
        self.session.execute(breach_assessments.insert().values(
            id=document["id"], org_id=document["org_id"], created_at=at,
            created_by=by.id, created_by_email=by.email, created_by_kind=by.kind,
            discovered_on=discovered_on, affected_count=document["affected_count"],
            reaches_500=document["reaches_500"],
            notification_required=document["risk"]["notification_required"],
            inputs=json.dumps(document["inputs"]),
            result=json.dumps({k: v for k, v in document.items() if k not in _COLUMN_KEYS}),
            content_hash=document["content_hash"],
        ))

    def listed(self, scope: Scope, limit: int, after: NewestFirstKey | None = None
               ) -> tuple[list[tuple[dict[str, Any], str]], NewestFirstKey | None]:
        """(document, stored hash) of a page of the assessments in scope, newest first; where
        the page ends if more follow."""
        c = breach_assessments.c
        query = scoped(select(breach_assessments), scope, c.org_id)
        rows, last = newest_first_page(self.session, query, c.created_at, c.id, after=after,
                                       limit=limit)
        return [(_document(row), row["content_hash"]) for row in rows], last

    def get(self, scope: Scope, assessment_id: str) -> tuple[dict[str, Any], str] | None:
        c = breach_assessments.c
        row = self.session.execute(scoped(select(breach_assessments), scope, c.org_id)
                                   .where(c.id == assessment_id)).mappings().first()
        return (_document(row), row["content_hash"]) if row is not None else None


def _document(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "org_id": row["org_id"],
        "created_at": row["created_at"].isoformat(),
        "created_by": {"id": row["created_by"], "email": row["created_by_email"],
                       "kind": row["created_by_kind"]},
        "discovered_on": row["discovered_on"].isoformat(),
        "inputs": json.loads(row["inputs"]),
        "affected_count": row["affected_count"],
        "reaches_500": bool(row["reaches_500"]),
        **json.loads(row["result"]),
    }
