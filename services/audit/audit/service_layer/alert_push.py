"""Writing an alert step's pushes into the outbox, in the step's own transaction.

The practice's User Managers are audit's projection of identity's profiles (`known_profiles`:
active, holding manage_users); the webhook is the practice's `alert_webhooks` row.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.adapters.tables import alert_deliveries, alert_webhooks, known_profiles
from audit.domain.alert_push import MAIL, WEBHOOK, channels_for, webhook_body
from servicekit.messaging.envelope import Event

MANAGE_USERS = "manage_users"


def enqueue_pushes(session: Session, event: Event, facts: dict[str, Any]) -> int:
    """Outbox rows for one audit.alert.* event of a practice; how many were written."""
    if event.org_id is None:
        return 0  # a vendor-wide alert (a broken chain): the stream and the bus carry it
    has_webhook = session.execute(select(alert_webhooks.c.org_id).where(
        alert_webhooks.c.org_id == event.org_id)).first() is not None
    channels = channels_for(event.type, has_webhook=has_webhook)
    if not channels:
        return 0
    facts = {**facts, "profile_email": _profile_email(session, facts.get("profile_id"))}
    body = json.dumps(webhook_body(event.type, event.id, event.occurred_at.isoformat(),
                                   event.org_id, facts), sort_keys=True)
    targets: list[tuple[str, str | None]] = []
    if WEBHOOK in channels:
        targets.append((WEBHOOK, None))
    if MAIL in channels:
        targets.extend((MAIL, email) for email in user_manager_emails(session, event.org_id))
    now = datetime.now(UTC)
    for channel, target in targets:
        session.execute(alert_deliveries.insert().values(
            org_id=event.org_id, alert_id=facts["alert_id"], event_id=event.id,
            event_type=event.type, channel=channel, target=target, body=body, created_at=now,
            attempts=0, next_attempt_at=now))
    return len(targets)


def user_manager_emails(session: Session, org_id: str) -> list[str]:
    """The practice's active User Managers' addresses, as identity last stated them."""
    c = known_profiles.c
    rows = session.execute(select(c.email, c.permissions).where(
        c.org_id == org_id, c.status == "active", c.kind == "staff"))
    return sorted({row.email for row in rows
                   if row.permissions and MANAGE_USERS in json.loads(row.permissions)})


def _profile_email(session: Session, profile_id: str | None) -> str | None:
    if not profile_id:
        return None
    return session.execute(select(known_profiles.c.email).where(
        known_profiles.c.user_id == profile_id)).scalar()
