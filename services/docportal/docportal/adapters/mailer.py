"""The share email over SMTP (the local sink, Mailpit, or a provider's relay).

The mail names the practice and carries the link, nothing else: no patient, no document
name, no message from the sender. Those are shown after the recipient signs in.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from docportal.service_layer.ports import MailUnavailable, ShareMail

TIMEOUT_SECONDS = 10


class SmtpShareMailer:
    """Sends through ``smtp://host:port`` (``smtps://`` for TLS, ``user:pass@`` to log in)."""

    def __init__(self, smtp_url: str, mail_from: str) -> None:
        parts = urlsplit(smtp_url)
        if parts.scheme not in {"smtp", "smtps"}:
            raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, not {parts.scheme}://")
        self._tls = parts.scheme == "smtps"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or (465 if self._tls else 25)
        self._login = (unquote(parts.username), unquote(parts.password or "")) \
            if parts.username else None
        self.mail_from = mail_from

    def send_share_link(self, mail: ShareMail) -> None:
        try:
            with self._connect() as smtp:
                if self._login:
                    smtp.login(*self._login)
                smtp.send_message(share_message(mail, self.mail_from))
        except (OSError, smtplib.SMTPException) as err:
            raise MailUnavailable(type(err).__name__) from None

    def _connect(self) -> smtplib.SMTP:
        if self._tls:
            return smtplib.SMTP_SSL(self._host, self._port, timeout=TIMEOUT_SECONDS)
        return smtplib.SMTP(self._host, self._port, timeout=TIMEOUT_SECONDS)


def share_message(mail: ShareMail, mail_from: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = mail.recipient_email
    message["Subject"] = f"{mail.practice_name} shared documents with you"
    message["Message-ID"] = make_msgid(domain="clinicplatform.example")
    message.set_content(
        f"{mail.practice_name} has shared documents with you through a secure portal.\n\n"
        f"Open them here within 24 hours:\n{mail.link}\n\n"
        "The link works only for this email address: sign in, or create a free account\n"
        "with this address, to see the documents. After 24 hours an unopened link expires\n"
        "and the sender has to share the documents again.\n\n"
        "If you did not expect this email, you can ignore it.\n"
    )
    return message
