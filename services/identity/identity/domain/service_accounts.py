"""Service accounts: the machines that read what a practice, or the vendor's security team, reads.

A security team's SIEM feed signs in with OAuth2 client credentials, not with a person's
password: the account holds one declared scope, takes no licensed seat, and its secret is
shown once and kept only as a SHA-256 hash (256 random bits make a slow hash pointless, as
for refresh tokens). Rotating the secret or revoking the account raises its version, and
every service refuses tokens of an older version. The vendor's automation profile in a
practice signs in the same way, with its own profile's permissions.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from identity.domain.errors import InvalidRequest, StateConflict, UnknownServiceScope
from identity.domain.permissions import VIEW_AUDIT
from identity.domain.tokens import issue_token

NAME_LIMIT = 100


@dataclass(frozen=True)
class ServiceScope:
    """What a service account may do: the permissions its tokens carry, and for whom."""

    name: str
    permissions: frozenset[str]
    vendor_wide: bool  # True: an account of the vendor (no practice), reading every practice
    description: str


# The declared scopes. A new integration's scope is one more row here; a scope whose
# permissions no service accepts from a service token yet would only mislead, so there is none.
SCOPES: dict[str, ServiceScope] = {s.name: s for s in (
    ServiceScope(VIEW_AUDIT, frozenset({VIEW_AUDIT}), False,
                 "Read the practice's audit record, alerts, access reports and security "
                 "stream (a security team's SIEM feed)."),
    ServiceScope("security", frozenset({VIEW_AUDIT}), True,
                 "The vendor's security team: the audit record of every practice."),
)}
# The vendor's automation profile in one practice: its tokens carry the profile's own
# permissions (kind ``automation``), so the scope is a name, not a set of permissions.
AUTOMATION_SCOPE = "automation"


class AccountKind(StrEnum):
    SERVICE = "service"
    AUTOMATION = "automation"


@dataclass(frozen=True)
class ClientSecret:
    raw: str  # shown once to whoever created or rotated the account, never stored
    hash: str


@dataclass(frozen=True)
class ServiceAccount:
    id: str
    practice_id: str | None  # None: vendor-wide
    name: str
    scope: str
    kind: AccountKind
    client_id: str
    secret_hash: str
    created_at: datetime
    created_by: str
    version: int = 1
    automation_user_id: str | None = None  # the automation profile whose credentials these are
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def token_subject(self) -> str:
        """The token's ``sub``: the automation profile, or the service account itself."""
        return self.automation_user_id or self.id

    def rotated(self, secret: ClientSecret, now: datetime) -> ServiceAccount:
        """A new secret; the old one stops working, and so do the tokens it fetched."""
        self._require_active("rotate")
        return replace(self, secret_hash=secret.hash, version=self.version + 1, rotated_at=now)

    def revoked(self, by: str, now: datetime) -> ServiceAccount:
        """No more tokens for this account, and the ones it holds stop at once."""
        self._require_active("revoke")
        return replace(self, version=self.version + 1, revoked_at=now, revoked_by=by)

    def _require_active(self, action: str) -> None:
        if not self.active:
            raise StateConflict(f"This service account is revoked; there is nothing to {action}. "
                                "Create a new one if the machine still needs access.",
                                {"service_account_id": self.id})


def scope_for(name: str, *, vendor_wide: bool) -> ServiceScope:
    """The declared scope ``name`` if the creating side (a practice, or the vendor) may use it."""
    offered = sorted(s.name for s in SCOPES.values() if s.vendor_wide == vendor_wide)
    scope = SCOPES.get(name)
    if scope is None or scope.vendor_wide != vendor_wide:
        raise UnknownServiceScope(
            f"There is no service account scope {name!r} here. Use one of: "
            f"{', '.join(offered)}.", {"scope": name, "known": offered})
    return scope


def new_service_account(*, account_id: str, practice_id: str | None, name: str, scope: str,
                        created_by: str, now: datetime) -> tuple[ServiceAccount, ClientSecret]:
    """A practice's account (practice scopes) or the vendor's (practice_id None, vendor-wide)."""
    declared = scope_for(scope, vendor_wide=practice_id is None)
    secret = new_client_secret()
    account = ServiceAccount(
        id=account_id, practice_id=practice_id, name=_name(name), scope=declared.name,
        kind=AccountKind.SERVICE, client_id=new_client_id(), secret_hash=secret.hash,
        created_at=now, created_by=created_by)
    return account, secret


def new_automation_credentials(
    *, account_id: str, practice_id: str, automation_user_id: str, existing: list[ServiceAccount],
    created_by: str, now: datetime,
) -> tuple[ServiceAccount, ClientSecret]:
    """Client credentials for the practice's automation profile: one active set at a time."""
    if any(a.active and a.kind is AccountKind.AUTOMATION for a in existing):
        raise StateConflict("The automation profile of this practice has credentials already. "
                            "Rotate them, or revoke them before creating new ones.",
                            {"practice_id": practice_id})
    secret = new_client_secret()
    account = ServiceAccount(
        id=account_id, practice_id=practice_id, name="Automation", scope=AUTOMATION_SCOPE,
        kind=AccountKind.AUTOMATION, client_id=new_client_id(), secret_hash=secret.hash,
        created_at=now, created_by=created_by, automation_user_id=automation_user_id)
    return account, secret


def new_client_id() -> str:
    return "svc_" + secrets.token_hex(12)


def new_client_secret() -> ClientSecret:
    issued = issue_token()
    return ClientSecret(raw=issued.raw, hash=issued.hash)


def _name(name: str) -> str:
    trimmed = " ".join(name.split())
    if not trimmed or len(trimmed) > NAME_LIMIT:
        raise InvalidRequest(f"Name the service account (1 to {NAME_LIMIT} characters), e.g. "
                             "'SIEM feed'.", {"field": "name"})
    return trimmed
