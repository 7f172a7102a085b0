"""A mailer that keeps each mail instead of sending it: for tests and scripts that call the
use cases directly and read the link a person would have received."""

from __future__ import annotations

from dataclasses import dataclass, field

from identity.adapters.mail import GetStartedMail, InvitationMail, ResetMail

Mail = InvitationMail | ResetMail | GetStartedMail


@dataclass
class MemoryMailer:
    sent: list[Mail] = field(default_factory=list)

    def send_invitation(self, mail: InvitationMail) -> None:
        self.sent.append(mail)

    def send_password_reset(self, mail: ResetMail) -> None:
        self.sent.append(mail)

    def send_get_started(self, mail: GetStartedMail) -> None:
        self.sent.append(mail)

    def token_for(self, address: str) -> str:
        """The token of the newest mail to this address."""
        for mail in reversed(self.sent):
            if mail.to == address:
                return mail.token
        raise LookupError(f"no mail was sent to {address}")
