"""A practice's alert webhook, set by its User Managers; the deliveries, listed and retried."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from audit.adapters.alert_push_store import AlertPushStore
from audit.domain.alert_push import DEAD, DELIVERED, PENDING, check_webhook
from audit.domain.scope import Scope
from audit.service_layer.errors import DeliveryNotDead, NotFoundInScope
from servicekit.db import UnitOfWork

__all__ = ["DEAD", "DELIVERED", "PENDING", "get_webhook", "list_deliveries", "remove_webhook",
           "retry_delivery", "set_webhook"]


def set_webhook(uow: UnitOfWork, org_id: str, *, url: str, secret: str | None, by: str,
                now: datetime, allow_http: bool) -> dict[str, Any]:
    """Store the URL and secret (made here when none is given); the answer shows the secret
    only when it was made here: nobody is shown it again."""
    check_webhook(url, secret, allow_http=allow_http)
    made = secret is None
    secret = secret or secrets.token_urlsafe(32)
    with uow:
        AlertPushStore(uow.session).replace_webhook(org_id, url=url, secret=secret, by=by,
                                                    at=now)
        uow.commit()
    shown = {"url": url, "set_by": by, "set_at": now}
    return {**shown, "secret": secret} if made else shown


def get_webhook(uow: UnitOfWork, org_id: str) -> dict[str, Any]:
    with uow:
        hook = AlertPushStore(uow.session).webhook(org_id)
    # No webhook is an answer too: alerts then go by mail only.
    if hook is None:
        return {"url": None, "set_by": None, "set_at": None}
    return {"url": hook["url"], "set_by": hook["set_by"], "set_at": hook["set_at"]}


def remove_webhook(uow: UnitOfWork, org_id: str) -> None:
    with uow:
        AlertPushStore(uow.session).remove_webhook(org_id)
        uow.commit()


def list_deliveries(uow: UnitOfWork, scope: Scope, *, status: str | None, limit: int,
                    before: int | None = None) -> tuple[list[dict[str, Any]], int | None]:
    """A page of deliveries, newest first, after the one that ended at id ``before``; the
    id this page ends at when more follow. ``dead`` ones are the dead letters."""
    with uow:
        return AlertPushStore(uow.session).deliveries(scope, status=status, limit=limit,
                                                      before=before)


def retry_delivery(uow: UnitOfWork, scope: Scope, delivery_id: int, now: datetime
                   ) -> dict[str, Any]:
    """Give a dead delivery its attempts again, due now."""
    with uow:
        store = AlertPushStore(uow.session)
        delivery = store.delivery(scope, delivery_id)
        if delivery is None:
            raise NotFoundInScope("No such alert delivery in your practice; check its id.")
        if delivery["dead_at"] is None:
            raise DeliveryNotDead("Only a dead delivery is retried by hand; this one is "
                                  f"{delivery['status']}.")
        store.update_delivery(delivery_id, dead_at=None, attempts=0, next_attempt_at=now)
        uow.commit()
    return {**delivery, "status": PENDING, "attempts": 0, "next_attempt_at": now}
