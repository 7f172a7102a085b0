"""The invitation emails a practice sent, as the invitation limits count them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from identity.adapters.tables import invitation_mails, practices

_m = invitation_mails.c


class InvitationMails:
    def __init__(self, session: Session) -> None:
        self.session = session

    def hold(self, practice_id: str) -> None:
        """Lock the practice's row until commit, so that concurrent invitations of one
        practice count one after another (on SQLite, BEGIN IMMEDIATE already does)."""
        self.session.execute(
            select(practices.c.id).where(practices.c.id == practice_id).with_for_update())

    def by_practice(self, practice_id: str, since: datetime) -> list[datetime]:
        return list(self.session.execute(select(_m.sent_at).where(
            _m.org_id == practice_id, _m.sent_at > since)).scalars())

    def to_invitee(self, practice_id: str, email: str, since: datetime) -> list[datetime]:
        return list(self.session.execute(select(_m.sent_at).where(
            _m.org_id == practice_id, _m.email == email, _m.sent_at > since)).scalars())

    def record(self, practice_id: str, invitation_id: str, email: str, sent_by: str,
               now: datetime, keep_since: datetime) -> None:
        self.session.execute(delete(invitation_mails).where(
            _m.org_id == practice_id, _m.sent_at <= keep_since))
        self.session.execute(insert(invitation_mails).values(
            org_id=practice_id, invitation_id=invitation_id, email=email, sent_by=sent_by,
            sent_at=now))
