"""The share email.

The mail names the practice and carries the link, nothing else: no patient, no document
name, no message from the sender. Those are shown after the recipient signs in.
"""

from __future__ import annotations

from email.message import EmailMessage

from docportal.service_layer.ports import ShareMail
from servicekit.mail import SmtpMailer


class SmtpShareMailer:
    """Composes the share email (queued in the mail outbox) and sends what the outbox hands
    back."""

    def __init__(self, smtp_url: str, mail_from: str) -> None:
        self._smtp = SmtpMailer(smtp_url, mail_from)
        self.mail_from = mail_from

    def share_link_message(self, mail: ShareMail) -> EmailMessage:
        return share_message(mail, self._smtp)

    def send(self, message: EmailMessage) -> None:
        self._smtp.send(message)


def share_message(mail: ShareMail, smtp: SmtpMailer) -> EmailMessage:
    return smtp.message(
        mail.recipient_email,
        f"{mail.practice_name} shared documents with you",
        f"{mail.practice_name} has shared documents with you through a secure portal.\n\n"
        f"Open them here within 24 hours:\n{mail.link}\n\n"
        "The link works only for this email address: sign in, or create a free account\n"
        "with this address, to see the documents. After 24 hours an unopened link expires\n"
        "and the sender has to share the documents again.\n\n"
        "If you did not expect this email, you can ignore it.\n",
    )
