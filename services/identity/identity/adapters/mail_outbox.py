"""Identity's mail outbox (servicekit.mail_outbox): every mail identity sends, by kind.

An invitation's mail, once sent, marks the invitation "mail sent" for the link it carried
(a resend in between keeps its own status); a digest's marks its period delivered.
"""

from __future__ import annotations

from datetime import date

from identity.adapters.activity_repository import SentDigests
from identity.adapters.invitation_repository import InvitationRepository
from identity.adapters.tables import mail_outbox
from servicekit.db import UnitOfWork
from servicekit.mail_outbox import MailOutbox

INVITATION = "invitation"
GET_STARTED = "get_started"
PASSWORD_RESET = "password_reset"
NOTIFICATION = "notification"
DIGEST = "digest"


def invitation_key(invitation_id: str, token_hash: str) -> str:
    return f"{INVITATION}:{invitation_id}:{token_hash}"


def _invitation_mailed(uow: UnitOfWork, key: str) -> None:
    _, invitation_id, token_hash = key.split(":", 2)
    InvitationRepository(uow.session).mark_mail_sent(invitation_id, token_hash)


def digest_key(user_id: str, digest: str, period_start: date) -> str:
    return f"{DIGEST}:{user_id}:{digest}:{period_start.isoformat()}"


def _digest_mailed(uow: UnitOfWork, key: str) -> None:
    _, user_id, digest, start = key.split(":", 3)
    SentDigests(uow.session).mark_delivered(user_id, digest, date.fromisoformat(start))


MAIL_OUTBOX = MailOutbox(mail_outbox, on_sent={INVITATION: _invitation_mailed,
                                               DIGEST: _digest_mailed})
