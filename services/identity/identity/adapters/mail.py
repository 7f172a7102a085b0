"""Identity's emails: the staff invitation, the get-started link and the password reset link.

Each mail names the practice and carries one single-use link; no patient data ever goes
in (identity holds none), and the raw token lives only in the mail (and in the mail outbox
until it is sent), never in a log. The use cases compose a message and queue it in the mail
outbox; ``send`` delivers what the outbox hands back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Literal, Protocol, TypeVar
from urllib.parse import urlencode

from servicekit.mail import MailUnavailable, SmtpMailer

__all__ = ["GetStartedMail", "IdentityMailer", "InvitationMail", "MailUnavailable", "ResetMail",
           "SmtpIdentityMailer"]

Account = Literal["staff", "recipient"]


@dataclass(frozen=True)
class InvitationMail:
    to: str
    invitee_name: str
    practice_name: str
    inviter_name: str
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class ResetMail:
    to: str
    account: Account
    token: str
    practice_name: str | None = None  # staff: which practice's account the link resets


@dataclass(frozen=True)
class GetStartedMail:
    """A person a User Manager added: the link sets their first password."""

    to: str
    full_name: str
    practice_name: str
    added_by_name: str
    token: str
    expires_at: datetime


_Mail = TypeVar("_Mail", InvitationMail, ResetMail, GetStartedMail)


class IdentityMailer(Protocol):
    """Composes each mail (MailUnavailable when it cannot be composed) and sends a composed
    one (MailUnavailable when the mail server cannot take it)."""

    def invitation_message(self, mail: InvitationMail) -> EmailMessage: ...

    def reset_message(self, mail: ResetMail) -> EmailMessage: ...

    def get_started_message(self, mail: GetStartedMail) -> EmailMessage: ...

    def send(self, message: EmailMessage) -> None: ...


class SmtpIdentityMailer:
    def __init__(self, smtp_url: str, mail_from: str, *, staff_app_url: str,
                 portal_base_url: str, vendor_name: str) -> None:
        self._smtp = SmtpMailer(smtp_url, mail_from)
        self._staff_app_url = staff_app_url.rstrip("/")
        self._portal_base_url = portal_base_url.rstrip("/")
        self._vendor_name = vendor_name

    def send(self, message: EmailMessage) -> None:
        self._smtp.send(message)

    def get_started_message(self, mail: GetStartedMail) -> EmailMessage:
        return _composed(self._get_started_message, mail)

    def invitation_message(self, mail: InvitationMail) -> EmailMessage:
        return _composed(self._invitation_message, mail)

    def reset_message(self, mail: ResetMail) -> EmailMessage:
        return _composed(self._reset_message, mail)

    def _get_started_message(self, mail: GetStartedMail) -> EmailMessage:
        link = _link(self._staff_app_url, "get-started", mail.token)
        return self._smtp.message(
            mail.to,
            _one_line(f"Get started at {mail.practice_name} on {self._vendor_name}"),
            f"Hello {mail.full_name},\n\n"
            f"{mail.added_by_name} added you to {mail.practice_name} on "
            f"{self._vendor_name}.\n\n"
            f"Choose your password here:\n{link}\n\n"
            f"The link works once and expires on {mail.expires_at:%d %B %Y at %H:%M} UTC. "
            "If it has expired,\nuse \"Forgot password\" on the sign-in page with this "
            "address.\n\n"
            "If you did not expect this email, you can ignore it.\n",
        )

    def _invitation_message(self, mail: InvitationMail) -> EmailMessage:
        link = _link(self._staff_app_url, "accept-invitation", mail.token)
        return self._smtp.message(
            mail.to,
            _one_line(f"{mail.inviter_name} invited you to {mail.practice_name} on "
                      f"{self._vendor_name}"),
            f"Hello {mail.invitee_name},\n\n"
            f"{mail.inviter_name} invited you to join {mail.practice_name} on "
            f"{self._vendor_name}.\n\n"
            f"Set your password and finish your profile here:\n{link}\n\n"
            f"The link works once and expires on {mail.expires_at:%d %B %Y at %H:%M} UTC. "
            "If it has expired,\nask an Admin of the practice to resend the invitation.\n\n"
            "If you did not expect this email, you can ignore it.\n",
        )

    def _reset_message(self, mail: ResetMail) -> EmailMessage:
        if mail.account == "recipient":
            link = _link(self._portal_base_url, "reset-password", mail.token)
            which = f"your {self._vendor_name} document portal account"
        else:
            link = _link(self._staff_app_url, "reset-password", mail.token)
            which = f"your account at {mail.practice_name}" if mail.practice_name else (
                f"your {self._vendor_name} account")
        return self._smtp.message(
            mail.to,
            f"Reset your {self._vendor_name} password",
            f"Someone asked to reset the password of {which}.\n\n"
            f"Choose a new password here within one hour:\n{link}\n\n"
            "The link works once. Resetting signs you out everywhere.\n\n"
            "If you did not ask for this, you can ignore this email: your password stays "
            "as it is.\n",
        )


def _composed(compose: Callable[[_Mail], EmailMessage], mail: _Mail) -> EmailMessage:
    """A header the mail library refuses (a line break in a name) is an undeliverable mail."""
    try:
        return compose(mail)
    except ValueError as err:
        raise MailUnavailable(f"message not composed: {type(err).__name__}") from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _link(base_url: str, page: str, token: str) -> str:
    return f"{base_url}/{page}?{urlencode({'token': token})}"
