"""POST /oauth/token: a machine trades its client credentials for a short access token.

The token is the platform's usual signed JWT: kind ``service`` (``org`` the practice, or
null for the vendor-wide security account, ``perms`` from the scope, ``pv`` the account's
version) or, for an automation profile's credentials, kind ``automation`` with the
profile's own claims. Each token gets a ``sid`` of its own. Every issue, and every refusal
of a known client, is an event, so a security team sees a machine's sign-ins as it sees a
person's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from identity.adapters.access_tokens import AccessTokenClaims, AccessTokenIssuer
from identity.adapters.repository import IdentityRepository
from identity.adapters.service_account_repository import ServiceAccountRepository
from identity.domain.catalog import UserTypeCatalog
from identity.domain.client_credentials import (
    CHECK_CREDENTIALS,
    TokenRequest,
    authenticate_client,
    granted_scope,
)
from identity.domain.errors import IdentityError, InvalidClient
from identity.domain.service_accounts import SCOPES, AccountKind, ServiceAccount
from identity.events.access import SERVICE_ACCOUNT_TOKEN_ISSUED, SERVICE_ACCOUNT_TOKEN_REFUSED
from identity.service_layer.sessions import access_claims
from servicekit.db import UnitOfWork
from servicekit.messaging.definitions import EventDefinition
from servicekit.messaging.envelope import Actor, Event, Subject


@dataclass(frozen=True)
class ClientToken:
    access_token: str
    expires_in: int
    scope: str


def issue_client_token(uow: UnitOfWork, request: TokenRequest, *, tokens: AccessTokenIssuer,
                       catalog: UserTypeCatalog, now: datetime) -> ClientToken:
    with uow:
        account = ServiceAccountRepository(uow.session).by_client_id(request.client_id)
        try:
            authenticate_client(account, request.client_secret)
            assert account is not None
            scope = granted_scope(account, request.scope)
            claims = _claims(uow, account, catalog, session_id=str(uuid.uuid4()))
        except IdentityError as refusal:
            if account is not None:  # an unknown client id is noise, not a machine's record
                uow.publish(_event(SERVICE_ACCOUNT_TOKEN_REFUSED, account,
                                   {"reason": refusal.code}))
                uow.commit()
            raise
        uow.publish(_event(SERVICE_ACCOUNT_TOKEN_ISSUED, account, {
            "session_id": claims.session_id, "scope": scope,
            "expires_at": (now + timedelta(seconds=tokens.lifetime_seconds)).isoformat()}))
        uow.commit()
    return ClientToken(tokens.issue(claims, now), tokens.lifetime_seconds, scope)


def _claims(uow: UnitOfWork, account: ServiceAccount, catalog: UserTypeCatalog, *,
            session_id: str) -> AccessTokenClaims:
    if account.kind is AccountKind.AUTOMATION:
        repo = IdentityRepository(uow.session)
        robot = repo.user_by_id(account.token_subject)
        if robot is None or not robot.active:
            raise InvalidClient(CHECK_CREDENTIALS, {"reason": "automation_profile_inactive"})
        return access_claims(repo, robot, catalog, session_id=session_id)
    return AccessTokenClaims(
        user_id=account.id, org_id=account.practice_id, kind=AccountKind.SERVICE.value,
        email=None, user_type=None,  # type: ignore[arg-type]  # a machine has no address
        permissions=SCOPES[account.scope].permissions, clinics=(),
        permission_version=account.version, session_id=session_id)


def _event(definition: EventDefinition, account: ServiceAccount, facts: dict[str, object]) -> Event:
    kind = account.kind.value
    return definition.event(
        subject=Subject("user", account.token_subject),
        org_id=account.practice_id, actor=Actor(id=account.token_subject, kind=kind),
        data={"service_account_id": account.id, "client_id": account.client_id,
              "kind": kind, **facts})
