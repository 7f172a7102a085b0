"""Writing an alert step's pushes into the outbox, in the step's own transaction.

The practice's User Managers are audit's projection of identity's profiles (`known_profiles`:
active, holding manage_users); the webhook is the practice's `alert_webhooks` row.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from audit.adapters.alert_push_store import AlertPushStore
from audit.domain.alert_push import MAIL, WEBHOOK, channels_for, webhook_body
from servicekit.messaging.envelope import Event


def enqueue_pushes(session: Session, event: Event, facts: dict[str, Any]) -> int:
    """Outbox rows for one audit.alert.* event of a practice; how many were written."""
    if event.org_id is None:
        return 0  # a vendor-wide alert (a broken chain): the stream and the bus carry it
    store = AlertPushStore(session)
    channels = channels_for(event.type, has_webhook=store.webhook(event.org_id) is not None)
    if not channels:
        return 0
    facts = {**facts, "profile_email": store.profile_email(facts.get("profile_id"))}
    body = json.dumps(webhook_body(event.type, event.id, event.occurred_at.isoformat(),
                                   event.org_id, facts), sort_keys=True)
    targets: list[tuple[str, str | None]] = []
    if WEBHOOK in channels:
        targets.append((WEBHOOK, None))
    if MAIL in channels:
        targets.extend((MAIL, email) for email in store.user_manager_emails(event.org_id))
    now = datetime.now(UTC)
    for channel, target in targets:
        store.add_delivery(
            org_id=event.org_id, alert_id=facts["alert_id"], event_id=event.id,
            event_type=event.type, channel=channel, target=target, body=body, created_at=now,
            attempts=0, next_attempt_at=now)
    return len(targets)
