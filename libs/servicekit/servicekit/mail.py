"""Sending mail over SMTP: the local sink, Mailpit, or a provider's relay.

Services compose their own messages (and keep patient data out of them); this module
only delivers them, and turns every transport failure into ``MailUnavailable`` so a
caller can keep the work and retry instead of failing the request.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from servicekit.metrics import process_service, smtp_errors

TIMEOUT_SECONDS = 10


class MailUnavailable(Exception):
    """The mail server cannot be reached or refused the message."""


# scheme -> default port. smtp:// is clear text (the local sink, Mailpit; production refuses
# it); smtp+starttls:// upgrades the connection before logging in; smtps:// is TLS from the start.
SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class SmtpMailer:
    """Sends through ``SMTP_URL``: ``smtp://``, ``smtp+starttls://`` or ``smtps://``, with
    ``user:pass@`` to log in (after TLS is up). The server's certificate is verified against
    the system's CAs, or ``ssl_context`` when given (tests, a private CA).

    Failures count in ``smtp_errors_total{service}``: ``service`` by default is the one this
    process runs (``servicekit.metrics.name_process``).
    """

    def __init__(self, smtp_url: str, mail_from: str, *, service: str | None = None,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        parts = urlsplit(smtp_url)
        if parts.scheme not in SCHEMES:
            raise ValueError("SMTP_URL must start with smtp://, smtp+starttls:// or smtps://, "
                             f"not {parts.scheme}://")
        self._scheme = parts.scheme
        self._context = ssl_context
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or SCHEMES[parts.scheme]
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
        context = self._context or ssl.create_default_context()
        if self._scheme == "smtps":
            return smtplib.SMTP_SSL(self._host, self._port, timeout=TIMEOUT_SECONDS,
                                    context=context)
        smtp = smtplib.SMTP(self._host, self._port, timeout=TIMEOUT_SECONDS)
        if self._scheme == "smtp+starttls":
            try:
                # Raises SMTPNotSupportedError when the server offers no STARTTLS: never fall
                # back to sending the password and the message in clear text.
                smtp.starttls(context=context)
            except BaseException:
                smtp.close()
                raise
        return smtp
