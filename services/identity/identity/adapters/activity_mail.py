"""Identity's activity mails: treatment plan notifications and the digests.

No patient data goes in: a notification says what happened, at which clinic, and the plan's
value; a digest holds counts and values only. Each links to the staff page where the person
chooses which of these mails they get.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from typing import Protocol

from servicekit.mail import MailUnavailable, SmtpMailer

__all__ = ["ActivityMailer", "DigestMail", "MailUnavailable", "NotificationMail",
           "SmtpActivityMailer"]

PREFERENCES_PAGE = "notifications"


@dataclass(frozen=True)
class NotificationMail:
    to: str
    full_name: str
    practice_name: str
    clinic_name: str | None
    what_happened: str  # "A patient chose to proceed with a treatment plan"
    value: str  # "1,250.00 AUD", or ""


@dataclass(frozen=True)
class DigestMail:
    to: str
    full_name: str
    digest_name: str  # Practice Digest, Practitioner Digest
    practice_name: str
    period_start: date
    period_end: date
    lines: Sequence[str]
    by_person: Sequence[tuple[str, Sequence[str]]] = field(default_factory=tuple)


class ActivityMailer(Protocol):
    """Composes each mail (MailUnavailable when it cannot be composed) and sends a composed
    one from the mail outbox (MailUnavailable when the mail server cannot take it)."""

    def notification_message(self, mail: NotificationMail) -> EmailMessage: ...

    def digest_message(self, mail: DigestMail) -> EmailMessage: ...

    def send(self, message: EmailMessage) -> None: ...


class SmtpActivityMailer:
    def __init__(self, smtp_url: str, mail_from: str, *, staff_app_url: str,
                 vendor_name: str) -> None:
        self._smtp = SmtpMailer(smtp_url, mail_from)
        self._page = f"{staff_app_url.rstrip('/')}/{PREFERENCES_PAGE}"
        self._vendor_name = vendor_name

    def send(self, message: EmailMessage) -> None:
        self._smtp.send(message)

    def notification_message(self, mail: NotificationMail) -> EmailMessage:
        where = f"{mail.clinic_name}, {mail.practice_name}" if mail.clinic_name \
            else mail.practice_name
        value = f"\nTreatment plan value: {mail.value}\n" if mail.value else ""
        return self._message(
            mail.to, f"{mail.what_happened} at {where}",
            f"Hello {mail.full_name},\n\n{mail.what_happened} at {where}.\n{value}\n"
            f"Open {self._vendor_name} to follow it up. Choose which of these emails you "
            f"get here:\n{self._page}\n")

    def digest_message(self, mail: DigestMail) -> EmailMessage:
        period = _period(mail.period_start, mail.period_end)
        people = "".join(f"\n{name}\n" + "".join(f"  {line}\n" for line in lines)
                         for name, lines in mail.by_person)
        by_practitioner = f"\nBy practitioner:\n{people}" if people else ""
        return self._message(
            mail.to, f"{mail.digest_name} for {mail.practice_name}: {period}",
            f"Hello {mail.full_name},\n\nYour {mail.digest_name} for {mail.practice_name}, "
            f"{period}:\n\n" + "".join(f"  {line}\n" for line in mail.lines)
            + by_practitioner
            + f"\nChoose which digests and notifications you get here:\n{self._page}\n")

    def _message(self, to: str, subject: str, body: str) -> EmailMessage:
        try:
            return self._smtp.message(to, " ".join(subject.split()), body)
        except ValueError as err:  # a header the mail library refuses: undeliverable
            raise MailUnavailable(f"message not composed: {type(err).__name__}") from None


def _period(start: date, end: date) -> str:
    if start == end:
        return f"{start:%d %B %Y}"
    return f"{start:%d %B} to {end:%d %B %Y}"
