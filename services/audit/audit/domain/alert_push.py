"""Pushing alerts to a practice: what goes out, how a webhook body is signed, when to retry.

Each alert step (raised, acknowledged, resolved, reopened) becomes deliveries in the same
transaction as the step: a webhook call when the practice configured one, and for a raised
or reopened alert a mail to each active User Manager. A delivery that fails is tried again
after 1, 2, 4 ... seconds (at most ``MAX_RETRY_DELAY``) and is dead after ``max_attempts``;
the dead ones are listed for the practice and the operator.

The signature follows Stripe's and GitHub's: ``X-Clinic-Signature: t=<unix seconds>,v1=<hex
HMAC-SHA256 of "<t>.<body>" with the practice's secret>``. A receiver recomputes it over the
raw body and refuses a timestamp older than a few minutes (a replay).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from audit.domain.errors import AuditError

MAIL, WEBHOOK = "mail", "webhook"
SIGNATURE_HEADER = "X-Clinic-Signature"
FIRST_RETRY_DELAY = timedelta(seconds=1)
MAX_RETRY_DELAY = timedelta(minutes=5)
MAILED_STEPS = frozenset({"audit.alert.raised", "audit.alert.reopened"})
# What a webhook body carries: ids, codes and the profile's (staff) email; never patient data.
BODY_FIELDS = ("alert_id", "reason", "severity", "profile_id", "profile_email", "status",
               "changed_by", "triggering_event_id")


def channels_for(event_type: str, *, has_webhook: bool) -> tuple[str, ...]:
    """Where one alert step goes: the webhook (every step), mail (raised and reopened)."""
    return ((WEBHOOK,) if has_webhook else ()) + ((MAIL,) if event_type in MAILED_STEPS else ())


def retry_delay(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed tries: 1, 2, 4, 8 ... seconds, at most 5 minutes."""
    if attempts < 1:
        raise ValueError(f"a delay follows at least one attempt, got {attempts}")
    return min(FIRST_RETRY_DELAY * (1 << min(attempts - 1, 20)), MAX_RETRY_DELAY)


def is_dead(attempts: int, max_attempts: int) -> bool:
    return attempts >= max_attempts


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header value for ``body`` sent at ``timestamp`` (unix seconds)."""
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_matches(secret: str, header: str, body: bytes, *, now: int,
                      tolerance_seconds: int = 300) -> bool:
    """What a receiver checks: the HMAC over its raw body, and a recent timestamp."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_seconds:
        return False
    expected = signature(secret, timestamp, body).rpartition("v1=")[2]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def webhook_body(event_type: str, event_id: str, occurred_at: str, org_id: str,
                 facts: dict[str, Any]) -> dict[str, Any]:
    """The JSON a webhook receives for one alert step."""
    return {"type": event_type, "id": event_id, "occurred_at": occurred_at, "org_id": org_id,
            "alert": {k: facts.get(k) for k in BODY_FIELDS}}


def mail_text(facts: dict[str, Any], alerts_url: str) -> tuple[str, str]:
    """Subject and body of the mail to a User Manager: the finding, never patient data."""
    severity, reason = str(facts.get("severity", "")).upper(), facts.get("reason", "")
    subject = f"[{severity}] Audit alert: {reason.replace('_', ' ')}"
    lines = [f"The audit service raised an alert in your practice ({facts.get('status')}).",
             "", f"Reason: {reason}", f"Severity: {facts.get('severity')}",
             f"Profile: {facts.get('profile_email') or facts.get('profile_id') or '-'}",
             f"Alert id: {facts.get('alert_id')}", "",
             f"Look into it (the profile is flagged there; audit what it touched): "
             f"{alerts_url}",
             "Then acknowledge or resolve the alert (POST /api/audit/alerts/<alert id>/"
             "acknowledge or /resolve)."]
    return subject, "\n".join(lines) + "\n"


SHORTEST_SECRET, LONGEST_SECRET = 24, 200


class WebhookRefused(AuditError, ValueError):
    """The webhook's URL or secret breaks a rule; the message says what to send instead."""

    code = "invalid_webhook"


def check_webhook(url: str, secret: str | None, *, allow_http: bool) -> None:
    """An https URL with a host and no credentials in it; a secret long enough to sign with."""
    parts = urlsplit(url)
    schemes = {"https", "http"} if allow_http else {"https"}
    if parts.scheme not in schemes or not parts.hostname:
        raise WebhookRefused("Give the webhook's full https:// URL, like "
                             "https://siem.example.com/clinic-alerts.")
    if parts.username or parts.password:
        raise WebhookRefused("Leave credentials out of the URL: every call is signed with the "
                             "secret instead (X-Clinic-Signature).")
    if secret is not None and not SHORTEST_SECRET <= len(secret) <= LONGEST_SECRET:
        raise WebhookRefused(f"Give a secret of {SHORTEST_SECRET} to {LONGEST_SECRET} "
                             "characters, or none and one is made for you.")


PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"


def delivery_status(delivered_at: object, dead_at: object) -> str:
    """A delivery is delivered, dead (a dead letter), or still pending."""
    if delivered_at is not None:
        return DELIVERED
    return DEAD if dead_at is not None else PENDING
