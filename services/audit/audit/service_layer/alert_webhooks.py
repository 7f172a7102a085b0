"""A practice's alert webhook, set by its User Managers; the deliveries, listed and retried."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from audit.adapters.tables import alert_deliveries, alert_webhooks
from audit.domain.alert_push import WebhookRefused, check_webhook
from audit.service_layer.queries import Scope
from servicekit.db import UnitOfWork
from servicekit.web.errors import Conflict, NotFound, Unprocessable

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"


def set_webhook(uow: UnitOfWork, org_id: str, *, url: str, secret: str | None, by: str,
                now: datetime, allow_http: bool) -> dict[str, Any]:
    """Store the URL and secret (made here when none is given); the answer shows the secret
    only when it was made here: nobody is shown it again."""
    try:
        check_webhook(url, secret, allow_http=allow_http)
    except WebhookRefused as refused:
        raise Unprocessable(str(refused), code="invalid_webhook") from None
    made = secret is None
    secret = secret or secrets.token_urlsafe(32)
    with uow:
        uow.session.execute(delete(alert_webhooks).where(alert_webhooks.c.org_id == org_id))
        uow.session.execute(alert_webhooks.insert().values(
            org_id=org_id, url=url, secret=secret, set_by=by, set_at=now))
        uow.commit()
    shown = {"url": url, "set_by": by, "set_at": now}
    return {**shown, "secret": secret} if made else shown


def get_webhook(session: Session, org_id: str) -> dict[str, Any]:
    row = session.execute(select(alert_webhooks.c.url, alert_webhooks.c.set_by,
                                 alert_webhooks.c.set_at)
                          .where(alert_webhooks.c.org_id == org_id)).mappings().first()
    # No webhook is an answer too: alerts then go by mail only.
    return dict(row) if row is not None else {"url": None, "set_by": None, "set_at": None}


def remove_webhook(uow: UnitOfWork, org_id: str) -> None:
    with uow:
        uow.session.execute(delete(alert_webhooks).where(alert_webhooks.c.org_id == org_id))
        uow.commit()


def list_deliveries(session: Session, scope: Scope, *, status: str | None, limit: int
                    ) -> list[dict[str, Any]]:
    """The newest deliveries first; ``dead`` ones are the dead letters."""
    c = alert_deliveries.c
    query = scope.apply(select(alert_deliveries), c.org_id)
    if status == DEAD:
        query = query.where(c.dead_at.is_not(None))
    elif status == DELIVERED:
        query = query.where(c.delivered_at.is_not(None))
    elif status == PENDING:
        query = query.where(c.delivered_at.is_(None), c.dead_at.is_(None))
    rows = session.execute(query.order_by(c.id.desc()).limit(limit)).mappings()
    return [_delivery(row) for row in rows]


def retry_delivery(uow: UnitOfWork, scope: Scope, delivery_id: int, now: datetime
                   ) -> dict[str, Any]:
    """Give a dead delivery its attempts again, due now."""
    c = alert_deliveries.c
    with uow:
        row = uow.session.execute(scope.apply(select(alert_deliveries), c.org_id)
                                  .where(c.id == delivery_id)).mappings().first()
        if row is None:
            raise NotFound("No such alert delivery in your practice; check its id.")
        if row["dead_at"] is None:
            raise Conflict("Only a dead delivery is retried by hand; this one is "
                           f"{_status(row)}.", code="delivery_not_dead")
        uow.session.execute(alert_deliveries.update().where(c.id == delivery_id).values(
            dead_at=None, attempts=0, next_attempt_at=now))
        uow.commit()
    return {**_delivery(row), "status": PENDING, "attempts": 0, "next_attempt_at": now}


def _status(row: Any) -> str:
    if row["delivered_at"] is not None:
        return DELIVERED
    return DEAD if row["dead_at"] is not None else PENDING


def _delivery(row: Any) -> dict[str, Any]:
    return {"id": row["id"], "org_id": row["org_id"], "alert_id": row["alert_id"],
            "event_id": row["event_id"], "event_type": row["event_type"],
            "channel": row["channel"], "target": row["target"], "status": _status(row),
            "attempts": row["attempts"], "created_at": row["created_at"],
            "next_attempt_at": row["next_attempt_at"], "delivered_at": row["delivered_at"],
            "dead_at": row["dead_at"], "last_error": row["last_error"],
            "body": json.loads(row["body"])}
