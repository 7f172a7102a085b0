"""Writing an alert step's pushes, in the step's own transaction: the webhook call into
`alert_deliveries`, the mails to the User Managers into audit's mail outbox.

The practice's User Managers are audit's projection of identity's profiles (`known_profiles`:
active, holding manage_users); the webhook is the practice's `alert_webhooks` row.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from audit.adapters.alert_mail import (
    ALERT_MAIL,
    MAIL_OUTBOX,
    AlertMailSettings,
    alert_mail_key,
    alert_message,
    process_alert_mail_settings,
)
from audit.adapters.alert_push_store import AlertPushStore
from audit.domain.alert_push import MAIL, WEBHOOK, channels_for, webhook_body
from servicekit.messaging.envelope import Event

log = logging.getLogger("audit.alert_push")


def enqueue_pushes(session: Session, event: Event, facts: dict[str, Any]) -> int:
    """The webhook call and the mails of one audit.alert.* event of a practice; how many."""
    if event.org_id is None:
        return 0  # a vendor-wide alert (a broken chain): the stream and the bus carry it
    store = AlertPushStore(session)
    channels = channels_for(event.type, has_webhook=store.webhook(event.org_id) is not None)
    if not channels:
        return 0
    facts = {**facts, "profile_email": store.profile_email(facts.get("profile_id"))}
    body = webhook_body(event.type, event.id, event.occurred_at.isoformat(), event.org_id,
                        facts)
    now, queued = datetime.now(UTC), 0
    if WEBHOOK in channels:
        store.add_delivery(
            org_id=event.org_id, alert_id=facts["alert_id"], event_id=event.id,
            event_type=event.type, channel=WEBHOOK, target=None,
            body=json.dumps(body, sort_keys=True), created_at=now, attempts=0,
            next_attempt_at=now)
        queued += 1
    if MAIL in channels:
        settings = process_alert_mail_settings()
        for address in store.user_manager_emails(event.org_id):
            queued += queue_alert_mail(session, event.id, address, body["alert"], settings,
                                       now)
    return queued


def queue_alert_mail(session: Session, event_id: str, address: str, alert: dict[str, Any],
                     settings: AlertMailSettings, now: datetime) -> int:
    """Queue one User Manager's mail in ``session``'s transaction; 0 when it cannot be composed
    (an address the mail library refuses), which must not undo the alert."""
    try:
        message = alert_message(address, alert, settings)
    except ValueError as err:
        log.warning("alert mail not composed, so not queued", extra={
            "event_id": event_id, "error": type(err).__name__})
        return 0
    MAIL_OUTBOX.add(session, message, key=alert_mail_key(event_id, address), kind=ALERT_MAIL,
                    now=now)
    return 1
