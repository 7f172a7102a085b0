"""The vendor's machine accounts, run by its support admins.

Two kinds: the vendor-wide security account (scope ``security``, no practice) that feeds
the vendor's own security team from every practice's audit record, and the client
credentials of a practice's automation profile, with which the vendor's automation signs in
to that practice (kind ``automation`` tokens). Rotating or revoking automation credentials
raises the automation profile's permission version, as any change to a profile does.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from identity.adapters.repository import IdentityRepository
from identity.adapters.service_account_repository import ServiceAccountRepository
from identity.adapters.vendor_directory import PracticelessAccounts
from identity.domain.grants import VendorStaffMember
from identity.domain.service_accounts import (
    AUTOMATION_SCOPE,
    ServiceAccount,
    new_automation_credentials,
    new_client_secret,
    new_service_account,
)
from identity.domain.users import User
from identity.service_layer.errors import NotASupportAdmin, NotFoundInPractice
from identity.service_layer.service_accounts import IssuedCredentials, account_event
from identity.service_layer.vendor import VendorCaller, admin_actor, vendor_member
from servicekit.db import UnitOfWork


def create_vendor_service_account(
    uow: UnitOfWork, caller: VendorCaller, *, scope: str, name: str | None,
    practice_id: str | None, now: datetime,
) -> IssuedCredentials:
    """``security``: the vendor-wide security account; ``automation``: the credentials of
    ``practice_id``'s automation profile."""
    with uow:
        admin = _support_admin(uow, caller, now)
        repo = ServiceAccountRepository(uow.session)
        if scope == AUTOMATION_SCOPE:
            robot = _automation_profile(uow, practice_id)
            account, secret = new_automation_credentials(
                account_id=str(uuid.uuid4()), practice_id=robot.practice_id,
                automation_user_id=robot.id, existing=repo.of_practice(robot.practice_id),
                created_by=admin.user_id, now=now)
            version = robot.permission_version
        else:
            account, secret = new_service_account(
                account_id=str(uuid.uuid4()), practice_id=None, name=name or "", scope=scope,
                created_by=admin.user_id, now=now)
            version = account.version
        repo.add(account)
        uow.publish(account_event("created", account, admin_actor(uow, admin), version))
        uow.commit()
    return IssuedCredentials(account, secret.raw)


def list_vendor_service_accounts(uow: UnitOfWork, caller: VendorCaller, now: datetime
                                 ) -> list[ServiceAccount]:
    with uow:
        _support_admin(uow, caller, now)
        return ServiceAccountRepository(uow.session).vendor_made()


def rotate_vendor_service_account(uow: UnitOfWork, caller: VendorCaller, account_id: str,
                                  now: datetime) -> IssuedCredentials:
    with uow:
        admin = _support_admin(uow, caller, now)
        account = _vendor_account(uow, account_id)
        secret = new_client_secret()
        rotated = account.rotated(secret, now)
        ServiceAccountRepository(uow.session).save(rotated)
        version = _outdate_automation_tokens(uow, rotated)
        uow.publish(account_event("rotated", rotated, admin_actor(uow, admin), version))
        uow.commit()
    return IssuedCredentials(rotated, secret.raw)


def revoke_vendor_service_account(uow: UnitOfWork, caller: VendorCaller, account_id: str,
                                  now: datetime) -> ServiceAccount:
    with uow:
        admin = _support_admin(uow, caller, now)
        account = _vendor_account(uow, account_id)
        revoked = account.revoked(admin.user_id, now)
        ServiceAccountRepository(uow.session).save(revoked)
        version = _outdate_automation_tokens(uow, revoked)
        uow.publish(account_event("revoked", revoked, admin_actor(uow, admin), version))
        uow.commit()
    return revoked


def _outdate_automation_tokens(uow: UnitOfWork, account: ServiceAccount) -> int:
    """The version every service must now require of the account's tokens."""
    if account.automation_user_id is None:
        return account.version
    return IdentityRepository(uow.session).bump_permission_version(account.automation_user_id)


def _support_admin(uow: UnitOfWork, caller: VendorCaller, now: datetime) -> VendorStaffMember:
    member = vendor_member(uow, caller, now)
    if not member.is_support_admin:
        raise NotASupportAdmin("Only a vendor support admin manages the vendor's service "
                               "accounts. Ask one to make this change.")
    return member


def _automation_profile(uow: UnitOfWork, practice_id: str | None) -> User:
    if not practice_id or PracticelessAccounts(uow.session).practice_name(practice_id) is None:
        raise NotFoundInPractice("There is no such practice. Give the practice_id whose "
                                 "automation profile needs credentials.",
                                 {"practice_id": practice_id})
    robots = [u for u in IdentityRepository(uow.session).users_of(practice_id)
              if u.is_automation and u.active]
    if not robots:
        raise NotFoundInPractice("This practice has no active automation profile.",
                                 {"practice_id": practice_id})
    return robots[0]


def _vendor_account(uow: UnitOfWork, account_id: str) -> ServiceAccount:
    found = ServiceAccountRepository(uow.session).vendor_made(account_id)
    if not found:
        raise NotFoundInPractice("There is no vendor service account with this id.",
                                 {"service_account_id": account_id})
    return found[0]
