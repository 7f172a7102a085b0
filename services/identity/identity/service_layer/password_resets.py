"""Password reset by email: ask for a link (same answer, in the same time, whether or not the
account exists), then spend it to choose a new password, which ends every session of the
account and lifts every sign-in wait on it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Literal

from identity.adapters.attempt_log import ResetRequests
from identity.adapters.mail import IdentityMailer, ResetMail
from identity.adapters.mail_outbox import PASSWORD_RESET
from identity.adapters.password_hashing import PasswordHashing
from identity.adapters.repository import (
    IdentityRepository,
    PasswordResetRepository,
    PasswordSetupRepository,
)
from identity.domain.catalog import UserTypeCatalog, load_catalog
from identity.domain.errors import InvalidRequest, LinkUnusable
from identity.domain.origins import Origin
from identity.domain.password_reset_limits import (
    ACCOUNT_WINDOW,
    ADDRESS_WINDOW,
    check_reset_requests,
    may_mail_account,
)
from identity.domain.password_resets import issue_password_reset, redeem_password_reset
from identity.domain.passwords import check_password
from identity.domain.refresh_tokens import revoke_family
from identity.domain.tokens import hash_token
from identity.domain.users import User, normalize_email
from identity.events import access as events
from identity.service_layer.callers import event_actor
from identity.service_layer.mail_queue import queue_mail, send_queued
from identity.service_layer.sign_in_attempts import forget_failures
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject

log = logging.getLogger(__name__)

Account = Literal["staff", "recipient"]
# A staff email may sign in to several practices; vendor employees sign in as staff too.
KINDS_BY_ACCOUNT: dict[str, tuple[str, ...]] = {
    "staff": ("staff", "vendor"),
    "recipient": ("recipient",),
}
MOST_LINKS_PER_REQUEST = 5  # one per account with the address, bounded
INVALID_LINK = ("This password reset link is not valid. Ask for a new one from the sign-in "
                "page.")


@dataclass(frozen=True)
class ResetRequest:
    """An accepted "forgot password" request, to be mailed after the answer has left."""

    email: str
    account: Account
    requested_at: datetime


def request_password_reset(
    uow: UnitOfWork, *, email: str, account: Account, origin: Origin, now: datetime
) -> ResetRequest | None:
    """Count the request against its source address (429 past the limit) and accept it.

    This is all the answer waits for, and it is the same work for every address: whether
    an account has it is looked up by ``mail_reset_links``, after the answer.
    """
    with uow:
        requests = ResetRequests(uow.session)
        check_reset_requests(requests.since(origin.address, now - ADDRESS_WINDOW), now)
        requests.record(origin.address, now, keep_since=now - ADDRESS_WINDOW)
        uow.commit()
    try:
        return ResetRequest(normalize_email(email), account, now)
    except InvalidRequest:
        return None  # the same answer as for an unknown address


def mail_reset_links(uow: UnitOfWork, request: ResetRequest, mailer: IdentityMailer) -> int:
    """Mail a one-hour link to each matching account that got fewer than three links in
    the last hour; returns how many were queued. Each mail is queued in the mail outbox with
    its link and tried at once; one the mail server refuses is retried by the mail worker
    within the link's hour. Never raises for a mail that failed."""
    now, account = request.requested_at, request.account
    keys: list[str] = []
    with uow:
        repo, resets = IdentityRepository(uow.session), PasswordResetRepository(uow.session)
        accounts = resets.accounts_with_email(request.email, KINDS_BY_ACCOUNT[account])
        for user in accounts[:MOST_LINKS_PER_REQUEST]:
            if not may_mail_account(resets.issued_since(user.id, now - ACCOUNT_WINDOW), now):
                log.info("password reset mail not sent: the account's hourly limit is reached",
                         extra={"user_id": user.id})
                continue
            reset, token = issue_password_reset(user.id, now)
            resets.add(reset)
            practice_name = repo.practice(user.practice_id).name if user.practice_id else None
            mail = ResetMail(user.email, account, token.raw, practice_name)
            key = f"{PASSWORD_RESET}:{reset.token_hash}"
            if queue_mail(uow.session, partial(mailer.reset_message, mail), key=key,
                          kind=PASSWORD_RESET, now=now, send_before=reset.expires_at):
                keys.append(key)
            uow.publish(events.PASSWORD_RESET_REQUESTED.event(
                subject=Subject("user", user.id),
                org_id=user.practice_id, actor=event_actor(user),
                data={"account": account, "expires_at": reset.expires_at.isoformat()},
            ))
        uow.commit()
    for key in keys:
        send_queued(uow, mailer, key, now)
    return len(keys)


def reset_password(
    uow: UnitOfWork, *, token: str, password: str, hashing: PasswordHashing, now: datetime,
    catalog: UserTypeCatalog | None = None,
) -> None:
    """Spend the link, set the password, revoke every session of the account, and bump its
    permission version so every access token issued before the reset stops at once (here,
    and in each service that learns the new version from identity.password.reset)."""
    with uow:
        repo, resets = IdentityRepository(uow.session), PasswordResetRepository(uow.session)
        reset = resets.get(hash_token(token))
        if reset is None:
            raise LinkUnusable(INVALID_LINK)
        redeem_password_reset(reset, token, now)
        user = repo.user_by_id(reset.user_id)
        if user is None or not user.active:
            raise LinkUnusable("This account is not active, so its password cannot be reset. "
                               "Ask your practice's Admin.")
        practice_name = repo.practice(user.practice_id).name if user.practice_id else ""
        check_password(password, practice_name=practice_name, email=user.email)
        resets.spend_all_of(user.id, now)
        PasswordSetupRepository(uow.session).spend_all_of(user.id, now)  # and setup links
        forget_failures(uow, user.kind, user.email)  # the mailbox's owner: no more waiting
        repo.set_password_hash(user.id, hashing.hash(password))
        revoked = _revoke_sessions(uow, repo, user, now)
        uow.publish(events.PASSWORD_RESET.event(
            subject=Subject("user", user.id),
            org_id=user.practice_id, actor=event_actor(user),
            data={"sessions_revoked": revoked,
                  **tokens_outdated(repo, user, catalog or load_catalog())},
        ))
        uow.commit()


def tokens_outdated(repo: IdentityRepository, user: User, catalog: UserTypeCatalog
                    ) -> dict[str, object]:
    """Bump the user's permission version; the event facts other services read it from.

    The permissions are unchanged, but travel with the version as on a permission change,
    so a projection that keeps both moves them forward together.
    """
    version = repo.bump_permission_version(user.id)
    return {"permission_version": version,
            "after": {"permissions": sorted(user.held_permissions(catalog))}}


def _revoke_sessions(uow: UnitOfWork, repo: IdentityRepository, user: User, now: datetime
                     ) -> int:
    families = repo.open_families_of(user.id)
    for family in families:
        repo.save_family(revoke_family(family, now, "password_reset"), now)
        uow.publish(events.SESSION_REVOKED.event(
            subject=Subject("user", user.id),
            org_id=user.practice_id, actor=event_actor(user),
            data={"session_id": family.id, "reason": "password_reset"},
        ))
    return len(families)
