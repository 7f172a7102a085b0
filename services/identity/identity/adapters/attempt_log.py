"""What throttling remembers: failed sign-ins and "forgot password" requests, with their
source address. Rows older than the rule's window are deleted as each key is written."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from identity.adapters.tables import password_reset_requests, sign_in_failures
from identity.domain.sign_in import Failure

_f = sign_in_failures.c
_r = password_reset_requests.c


class SignInFailures:
    """Failures per kind of account (staff, recipient, vendor) and email address."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def since(self, account: str, email: str, since: datetime) -> list[Failure]:
        rows = self.session.execute(
            select(_f.failed_at, _f.source_address).where(
                _f.email_normalized == email, _f.account == account, _f.failed_at > since))
        return [Failure(at, address) for at, address in rows]

    def record(self, account: str, email: str, address: str, now: datetime,
               keep_since: datetime) -> None:
        self.session.execute(delete(sign_in_failures).where(
            _f.email_normalized == email, _f.account == account, _f.failed_at <= keep_since))
        self.session.execute(insert(sign_in_failures).values(
            email_normalized=email, account=account, source_address=address, failed_at=now))

    def forget(self, account: str, email: str, address: str | None = None) -> None:
        """Forget the failures from ``address``, or from everywhere when it is None."""
        query = delete(sign_in_failures).where(
            _f.email_normalized == email, _f.account == account)
        if address is not None:
            query = query.where(_f.source_address == address)
        self.session.execute(query)


class ResetRequests:
    """"Forgot password" requests per source address, whatever email they named."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def since(self, address: str, since: datetime) -> list[datetime]:
        return list(self.session.execute(select(_r.requested_at).where(
            _r.source_address == address, _r.requested_at > since)).scalars())

    def record(self, address: str, now: datetime, keep_since: datetime) -> None:
        self.session.execute(delete(password_reset_requests).where(
            _r.source_address == address, _r.requested_at <= keep_since))
        self.session.execute(insert(password_reset_requests).values(
            source_address=address, requested_at=now))
