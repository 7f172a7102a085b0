"""A practice's Admins manage its service accounts: create, list, rotate the secret, revoke.

Every change raises the account's version and says so in an ``identity.service_account.*``
event whose subject is the token's ``sub`` and whose ``data.permission_version`` is the new
version, so every service refuses the tokens fetched before it at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from identity.adapters.repository import IdentityRepository
from identity.adapters.service_account_repository import ServiceAccountRepository
from identity.domain import profile_rules
from identity.domain.catalog import UserTypeCatalog
from identity.domain.errors import (
    AutomationProfileProtected,
    CannotGrantUnheldPermission,
    NotAllowed,
)
from identity.domain.service_accounts import (
    SCOPES,
    AccountKind,
    ServiceAccount,
    new_client_secret,
    new_service_account,
)
from identity.domain.users import Actor, UserKind
from identity.events.access import (
    SERVICE_ACCOUNT_CREATED,
    SERVICE_ACCOUNT_REVOKED,
    SERVICE_ACCOUNT_ROTATED,
)
from identity.service_layer.callers import Caller, event_actor, load_actor
from identity.service_layer.errors import NotFoundInPractice
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Actor as EventActor
from servicekit.messaging.envelope import Event, Subject

_BY_VERB = {"created": SERVICE_ACCOUNT_CREATED, "rotated": SERVICE_ACCOUNT_ROTATED,
            "revoked": SERVICE_ACCOUNT_REVOKED}


@dataclass(frozen=True)
class IssuedCredentials:
    """An account and its secret in clear: returned once, at creation or rotation."""

    account: ServiceAccount
    client_secret: str


def create_service_account(uow: UnitOfWork, caller: Caller, *, name: str, scope: str,
                           catalog: UserTypeCatalog, now: datetime) -> IssuedCredentials:
    """An Admin gives a machine one of the practice's scopes; no licensed seat is taken."""
    with uow:
        actor = _admin(uow, caller, catalog, now)
        account, secret = new_service_account(
            account_id=str(uuid.uuid4()), practice_id=caller.org_id, name=name, scope=scope,
            created_by=actor.user.id, now=now)
        unheld = sorted(SCOPES[account.scope].permissions
                        - actor.user.held_permissions(catalog))
        if unheld:
            raise CannotGrantUnheldPermission(
                "You can only give a service account permissions you hold yourself. Ask an "
                "Admin who holds them.", {"unheld": unheld})
        ServiceAccountRepository(uow.session).add(account)
        uow.publish(account_event("created", account, event_actor(actor.user)))
        uow.commit()
    return IssuedCredentials(account, secret.raw)


def list_service_accounts(uow: UnitOfWork, caller: Caller, catalog: UserTypeCatalog,
                          now: datetime) -> list[ServiceAccount]:
    """The practice's accounts, newest first, the automation profile's credentials included."""
    with uow:
        _admin(uow, caller, catalog, now)
        return ServiceAccountRepository(uow.session).of_practice(caller.org_id)


def rotate_service_account(uow: UnitOfWork, caller: Caller, account_id: str,
                           catalog: UserTypeCatalog, now: datetime) -> IssuedCredentials:
    """A new secret; the old one and the tokens it fetched stop working at once."""
    with uow:
        actor = _admin(uow, caller, catalog, now)
        account = _own_account(uow, caller, account_id)
        secret = new_client_secret()
        rotated = account.rotated(secret, now)
        ServiceAccountRepository(uow.session).save(rotated)
        uow.publish(account_event("rotated", rotated, event_actor(actor.user)))
        uow.commit()
    return IssuedCredentials(rotated, secret.raw)


def revoke_service_account(uow: UnitOfWork, caller: Caller, account_id: str,
                           catalog: UserTypeCatalog, now: datetime) -> ServiceAccount:
    """No more tokens for the account; the ones it holds stop at once."""
    with uow:
        actor = _admin(uow, caller, catalog, now)
        account = _own_account(uow, caller, account_id)
        revoked = account.revoked(actor.user.id, now)
        ServiceAccountRepository(uow.session).save(revoked)
        uow.publish(account_event("revoked", revoked, event_actor(actor.user)))
        uow.commit()
    return revoked


def account_event(verb: str, account: ServiceAccount, actor: EventActor,
                  permission_version: int | None = None) -> Event:
    """``identity.service_account.<verb>``; its subject is whom the account's tokens name."""
    data: dict[str, Any] = {
        "service_account_id": account.id, "client_id": account.client_id,
        "name": account.name, "scope": account.scope, "kind": account.kind.value,
        "vendor_wide": account.practice_id is None,
        "permission_version": permission_version or account.version,
        "revoked_at": account.revoked_at.isoformat() if account.revoked_at else None,
    }
    return _BY_VERB[verb].event(
                     subject=Subject("user", account.token_subject),
                     org_id=account.practice_id, actor=actor, data=data)


def _admin(uow: UnitOfWork, caller: Caller, catalog: UserTypeCatalog, now: datetime) -> Actor:
    actor = load_actor(IdentityRepository(uow.session), caller, now)
    if actor.user.kind is not UserKind.STAFF:
        raise NotAllowed("Only the practice's own Admins manage its service accounts.")
    profile_rules.require_may_act(actor, caller.org_id, now)
    profile_rules.require_user_manager(actor, catalog)
    return actor


def _own_account(uow: UnitOfWork, caller: Caller, account_id: str) -> ServiceAccount:
    account = ServiceAccountRepository(uow.session).in_practice(caller.org_id, account_id)
    if account is None:
        raise NotFoundInPractice("There is no service account with this id in your practice.",
                                 {"service_account_id": account_id})
    if account.kind is AccountKind.AUTOMATION:
        raise AutomationProfileProtected(
            "These are the vendor's automation credentials; the practice cannot change them. "
            "Contact support.", {"service_account_id": account_id})
    return account
