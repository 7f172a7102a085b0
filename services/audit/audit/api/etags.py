"""The practice's alert webhook's ETag (servicekit.web.conditional): a hash of what its GET
shows (never the secret), so a change made on a stale read is refused with 412."""

from __future__ import annotations

from audit.bootstrap import audit
from audit.service_layer.alert_webhooks import get_webhook
from servicekit.auth import current_principal
from servicekit.web.conditional import etag_of


def webhook_etag() -> str | None:
    """No practice (the vendor security role): no webhook of its own, no ETag."""
    org_id = current_principal().org_id
    if not org_id:
        return None
    return etag_of(get_webhook(audit().uow(), org_id))
