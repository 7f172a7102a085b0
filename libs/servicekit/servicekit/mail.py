"""Sending mail over SMTP: the local sink, Mailpit, or a provider's relay.

Services compose their own messages (and keep patient data out of them); this module
only delivers them, and turns every transport failure into ``MailUnavailable`` so a
caller can keep the work and retry instead of failing the request.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from servicekit.metrics import process_service, smtp_errors

TIMEOUT_SECONDS = 10


class MailUnavailable(Exception):
    """The mail server cannot be reached or refused the message."""


class SmtpMailer:
    """Sends through ``smtp://host:port`` (``smtps://`` for TLS, ``user:pass@`` to log in).

    Failures count in ``smtp_errors_total{service}``: ``service`` by default is the one this
    process runs (``servicekit.metrics.name_process``).
    """

    def __init__(self, smtp_url: str, mail_from: str, *, service: str | None = None) -> None:
        parts = urlsplit(smtp_url)
        if parts.scheme not in {"smtp", "smtps"}:
            raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, not {parts.scheme}://")
        self._tls = parts.scheme == "smtps"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or (465 if self._tls else 25)
        self._login = (unquote(parts.username), unquote(parts.password or "")) \
            if parts.username else None
        self.mail_from = mail_from
        self._service = service

    def message(self, to: str, subject: str, body: str) -> EmailMessage:
        """A plain-text message from the configured sender."""
        message = EmailMessage()
        message["From"] = self.mail_from
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain="clinicplatform.example")
        message.set_content(body)
        return message

    def send(self, message: EmailMessage) -> None:
        try:
            with self._connect() as smtp:
                if self._login:
                    smtp.login(*self._login)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as err:
            # Named at failure time: a mailer may be built before the process is named.
            smtp_errors.labels(self._service or process_service()).inc()
            raise MailUnavailable(type(err).__name__) from None

    def _connect(self) -> smtplib.SMTP:
        if self._tls:
            return smtplib.SMTP_SSL(self._host, self._port, timeout=TIMEOUT_SECONDS)
        return smtplib.SMTP(self._host, self._port, timeout=TIMEOUT_SECONDS)
