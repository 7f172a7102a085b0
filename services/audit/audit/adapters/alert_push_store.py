"""A practice's alert webhook and the alert deliveries (the outbox of mails and calls)."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, select
from sqlalchemy.orm import Session

from audit.adapters.scoping import scoped
from audit.adapters.tables import alert_deliveries, alert_webhooks, known_profiles
from audit.domain.alert_push import DEAD, DELIVERED, MAIL, PENDING, delivery_status
from audit.domain.scope import Scope

MANAGE_USERS = "manage_users"


class AlertPushStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def webhook(self, org_id: str) -> dict[str, Any] | None:
        row = self.session.execute(select(alert_webhooks).where(
            alert_webhooks.c.org_id == org_id)).mappings().first()
        return dict(row) if row is not None else None

    def replace_webhook(self, org_id: str, *, url: str, secret: str, by: str, at: datetime
                        ) -> None:
        self.remove_webhook(org_id)
        self.session.execute(alert_webhooks.insert().values(
            org_id=org_id, url=url, secret=secret, set_by=by, set_at=at))

    def remove_webhook(self, org_id: str) -> None:
        self.session.execute(delete(alert_webhooks).where(alert_webhooks.c.org_id == org_id))

    def add_delivery(self, **values: Any) -> None:
        self.session.execute(alert_deliveries.insert().values(**values))

    def deliveries(self, scope: Scope, *, status: str | None, limit: int,
                   before: int | None = None) -> tuple[list[dict[str, Any]], int | None]:
        """Up to ``limit`` deliveries, newest (highest id) first, after the page that ended at
        id ``before``; and the id the page ends at when more follow. ``dead``: the dead
        letters."""
        c = alert_deliveries.c
        query = scoped(select(alert_deliveries), scope, c.org_id)
        if status == DEAD:
            query = query.where(c.dead_at.is_not(None))
        elif status == DELIVERED:
            query = query.where(c.delivered_at.is_not(None))
        elif status == PENDING:
            query = query.where(c.delivered_at.is_(None), c.dead_at.is_(None))
        if before is not None:
            query = query.where(c.id < before)
        rows = self.session.execute(query.order_by(c.id.desc()).limit(limit + 1)).mappings()
        shown = [_delivery(row) for row in rows]
        more = len(shown) > limit
        return shown[:limit], (shown[limit - 1]["id"] if more else None)

    def delivery(self, scope: Scope, delivery_id: int) -> dict[str, Any] | None:
        c = alert_deliveries.c
        row = self.session.execute(scoped(select(alert_deliveries), scope, c.org_id)
                                   .where(c.id == delivery_id)).mappings().first()
        return _delivery(row) if row is not None else None

    def claim_next(self, now: datetime, tried: Collection[int]) -> dict[str, Any] | None:
        """The next due delivery (webhooks first), skipping rows another worker holds."""
        c = alert_deliveries.c
        query = (select(alert_deliveries)
                 .where(c.delivered_at.is_(None), c.dead_at.is_(None), c.next_attempt_at <= now)
                 .order_by(case((c.channel == MAIL, 1), else_=0), c.next_attempt_at, c.id)
                 .limit(1).with_for_update(skip_locked=True))
        if tried:
            query = query.where(c.id.not_in(tried))
        row = self.session.execute(query).mappings().first()
        return dict(row) if row is not None else None

    def update_delivery(self, delivery_id: int, **values: Any) -> None:
        self.session.execute(alert_deliveries.update().where(
            alert_deliveries.c.id == delivery_id).values(**values))

    def user_manager_emails(self, org_id: str) -> list[str]:
        """The practice's active User Managers' addresses, as identity last stated them."""
        c = known_profiles.c
        rows = self.session.execute(select(c.email, c.permissions).where(
            c.org_id == org_id, c.status == "active", c.kind == "staff"))
        return sorted({row.email for row in rows
                       if row.permissions and MANAGE_USERS in json.loads(row.permissions)})

    def profile_email(self, profile_id: str | None) -> str | None:
        if not profile_id:
            return None
        return self.session.execute(select(known_profiles.c.email).where(
            known_profiles.c.user_id == profile_id)).scalar()


def _delivery(row: Any) -> dict[str, Any]:
    return {"id": row["id"], "org_id": row["org_id"], "alert_id": row["alert_id"],
            "event_id": row["event_id"], "event_type": row["event_type"],
            "channel": row["channel"], "target": row["target"],
            "status": delivery_status(row["delivered_at"], row["dead_at"]),
            "attempts": row["attempts"], "created_at": row["created_at"],
            "next_attempt_at": row["next_attempt_at"], "delivered_at": row["delivered_at"],
            "dead_at": row["dead_at"], "last_error": row["last_error"],
            "body": json.loads(row["body"])}
