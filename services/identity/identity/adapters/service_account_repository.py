"""Service accounts to rows and back; a practice's lookups are scoped to that practice."""

from __future__ import annotations

from sqlalchemy import RowMapping, insert, or_, select, update
from sqlalchemy.orm import Session

from identity.adapters.tables import service_accounts as accounts
from identity.domain.service_accounts import AccountKind, ServiceAccount


class ServiceAccountRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, account: ServiceAccount) -> None:
        self.session.execute(insert(accounts).values(
            id=account.id, org_id=account.practice_id, name=account.name, scope=account.scope,
            kind=account.kind.value, client_id=account.client_id,
            secret_hash=account.secret_hash, version=account.version,
            automation_user_id=account.automation_user_id, created_at=account.created_at,
            created_by=account.created_by, rotated_at=account.rotated_at,
            revoked_at=account.revoked_at, revoked_by=account.revoked_by,
        ))

    def save(self, account: ServiceAccount) -> None:
        """Store a rotation or revocation (the secret, version and dates)."""
        self.session.execute(
            update(accounts).where(accounts.c.id == account.id).values(
                secret_hash=account.secret_hash, version=account.version,
                rotated_at=account.rotated_at, revoked_at=account.revoked_at,
                revoked_by=account.revoked_by,
            ))

    def by_client_id(self, client_id: str) -> ServiceAccount | None:
        row = self.session.execute(
            select(accounts).where(accounts.c.client_id == client_id)
        ).mappings().one_or_none()
        return _account(row) if row else None

    def in_practice(self, practice_id: str, account_id: str) -> ServiceAccount | None:
        row = self.session.execute(
            select(accounts).where(accounts.c.id == account_id,
                                   accounts.c.org_id == practice_id)
        ).mappings().one_or_none()
        return _account(row) if row else None

    def of_practice(self, practice_id: str) -> list[ServiceAccount]:
        rows = self.session.execute(
            select(accounts).where(accounts.c.org_id == practice_id)
            .order_by(accounts.c.created_at.desc(), accounts.c.id)
        ).mappings()
        return [_account(row) for row in rows]

    def vendor_made(self, account_id: str | None = None) -> list[ServiceAccount]:
        """The vendor's own accounts (vendor-wide) and the automation profiles' credentials."""
        query = select(accounts).where(or_(accounts.c.org_id.is_(None),
                                           accounts.c.kind == AccountKind.AUTOMATION.value))
        if account_id is not None:
            query = query.where(accounts.c.id == account_id)
        rows = self.session.execute(
            query.order_by(accounts.c.created_at.desc(), accounts.c.id)).mappings()
        return [_account(row) for row in rows]


def _account(row: RowMapping) -> ServiceAccount:
    return ServiceAccount(
        id=row["id"], practice_id=row["org_id"], name=row["name"], scope=row["scope"],
        kind=AccountKind(row["kind"]), client_id=row["client_id"],
        secret_hash=row["secret_hash"], created_at=row["created_at"],
        created_by=row["created_by"], version=row["version"],
        automation_user_id=row["automation_user_id"], rotated_at=row["rotated_at"],
        revoked_at=row["revoked_at"], revoked_by=row["revoked_by"],
    )
