"""Audit's mail outbox (servicekit.mail_outbox) and the alert mail it carries.

An alert step that mails (raised, reopened) composes one message per User Manager and queues
it in the step's own transaction, under the key ``alert:<event id>:<address hash>``: queueing
the same step twice (a redelivered event) queues one mail each. The address is hashed in the
key so that no address sits in a column that logs and dashboards show.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from audit.adapters.tables import mail_outbox
from audit.config import AuditConfig
from audit.domain.alert_push import mail_text
from servicekit.config import load_config
from servicekit.mail_outbox import Backoff, MailOutbox

ALERT_MAIL = "alert"
# Alerts are urgent: 2 s doubling to 10 min, then every 10 min; given up after 150 attempts
# (about a day), like the other services' mails.
ALERT_MAIL_BACKOFF = Backoff(first=timedelta(seconds=2), last=timedelta(minutes=10),
                             max_attempts=150)
MAIL_OUTBOX = MailOutbox(mail_outbox, ALERT_MAIL_BACKOFF)


@dataclass(frozen=True)
class AlertMailSettings:
    mail_from: str  # MAIL_FROM
    alerts_url: str  # AUDIT_ALERTS_URL: where the mail sends the User Manager


def alert_mail_settings(config: AuditConfig) -> AlertMailSettings:
    return AlertMailSettings(config.mail_from, config.alerts_url)


@functools.cache
def process_alert_mail_settings() -> AlertMailSettings:
    """This process's sender and alerts link, from its environment (read once).

    Alerts are raised deep inside the consumer's record keeping, which is handed no config
    (``bootstrap.consumer_config`` reads the same environment); every audit process (API,
    consumer, alert-push) is started with one environment, so each composes the same mail.
    """
    return alert_mail_settings(load_config(AuditConfig, "audit"))


def alert_mail_key(event_id: str, address: str) -> str:
    digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()[:24]
    return f"{ALERT_MAIL}:{event_id}:{digest}"


def alert_message(to: str, facts: dict[str, Any], settings: AlertMailSettings) -> EmailMessage:
    """The mail to one User Manager: the finding and the link, never patient data. Raises
    ValueError for an address the mail library refuses in a header."""
    subject, text = mail_text(facts, settings.alerts_url)
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="clinicplatform.example")
    message.set_content(text)
    return message
