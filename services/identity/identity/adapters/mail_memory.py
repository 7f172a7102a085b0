"""A mailer that keeps each mail instead of sending it: for tests and scripts that call the
use cases directly and read the link a person would have received."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage

from identity.adapters.mail import GetStartedMail, InvitationMail, ResetMail

Mail = InvitationMail | ResetMail | GetStartedMail


@dataclass
class MemoryMailer:
    """Keeps each mail as composed (its token readable); sending does nothing more."""

    sent: list[Mail] = field(default_factory=list)

    def invitation_message(self, mail: InvitationMail) -> EmailMessage:
        return self._kept(mail, "invitation")

    def reset_message(self, mail: ResetMail) -> EmailMessage:
        return self._kept(mail, "password reset")

    def get_started_message(self, mail: GetStartedMail) -> EmailMessage:
        return self._kept(mail, "get started")

    def send(self, message: EmailMessage) -> None:
        """The mail was kept when it was composed."""

    def token_for(self, address: str) -> str:
        """The token of the newest mail to this address."""
        for mail in reversed(self.sent):
            if mail.to == address:
                return mail.token
        raise LookupError(f"no mail was sent to {address}")

    def _kept(self, mail: Mail, subject: str) -> EmailMessage:
        self.sent.append(mail)
        message = EmailMessage()
        message["To"], message["From"], message["Subject"] = mail.to, "memory@localhost", subject
        message.set_content("kept in memory")
        return message
