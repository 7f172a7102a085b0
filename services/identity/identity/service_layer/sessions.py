"""Sign-in, refresh, sign-out and the first password: the session use cases."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from identity.adapters.access_tokens import AccessTokenClaims, AccessTokenIssuer
from identity.adapters.password_hashing import PasswordHashing
from identity.adapters.repository import (
    IdentityRepository,
    PasswordResetRepository,
    PasswordSetupRepository,
)
from identity.adapters.second_factors import SecretSealer
from identity.adapters.vendor_directory import PracticelessAccounts, VendorDirectory
from identity.domain.catalog import UserTypeCatalog, load_catalog
from identity.domain.errors import LinkUnusable, RefreshRefused
from identity.domain.grants import VendorAccessGrant
from identity.domain.origins import UNKNOWN_ORIGIN, Origin
from identity.domain.password_resets import issue_password_reset, redeem_password_reset
from identity.domain.passwords import check_password
from identity.domain.refresh_tokens import SIGN_IN_AGAIN, revoke_family, start_family
from identity.domain.refresh_tokens import use_refresh_token as rotate
from identity.domain.sign_in import retry_at, throttled
from identity.domain.tokens import hash_token
from identity.domain.users import User, UserKind
from identity.events.access import (
    ACCESS_GRANT_USED,
    SESSION_REVOKED,
    SESSION_SIGNED_IN,
    SESSION_SIGNED_OUT,
)
from identity.events.users import USER_PASSWORD_SET
from identity.service_layer.callers import event_actor
from identity.service_layer.errors import NoActiveAccessGrant, PracticeChoiceRequired
from identity.service_layer.password_resets import tokens_outdated
from identity.service_layer.second_factor import Enrolled, check_at_sign_in, requirement_of
from identity.service_layer.sign_in_attempts import (
    attempt_practice,
    judge_attempt,
    origin_facts,
    publish_failure,
    recent_failures,
)
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Event, Subject

# The owner's first link is printed by an operator and may wait a while to be used.
PASSWORD_SETUP_LIFETIME = timedelta(hours=72)
MOST_ACCOUNTS_CHECKED = 5  # bounds hashing work for one email in many practices


@dataclass(frozen=True)
class Session:
    access_token: str
    refresh_token: str
    expires_in: int
    user_id: str


def access_claims(repo: IdentityRepository, user: User, catalog: UserTypeCatalog,
                  grant: VendorAccessGrant | None = None, *,
                  session_id: str | None = None) -> AccessTokenClaims:
    """The token's claims; recipients and vendor staff hold no practice's permissions,
    except a vendor inside the practice a grant opened: its scope's permissions, and the
    token ends no later than the grant."""
    if user.kind in (UserKind.RECIPIENT, UserKind.VENDOR):
        practice_id = grant.practice_id if grant else None
        return AccessTokenClaims(
            user_id=user.id, org_id=practice_id, kind=user.kind.value, email=user.email,
            user_type=None,
            permissions=grant.rules.permissions if grant else frozenset(),
            clinics=tuple(c.id for c in repo.clinics_of(practice_id)) if practice_id else (),
            not_after=grant.ends_at if grant else None,
            permission_version=user.permission_version, session_id=session_id,
        )
    return AccessTokenClaims(
        user_id=user.id, org_id=user.practice_id, kind=user.kind.value, email=user.email,
        user_type=user.user_type, permissions=user.permissions(catalog),
        clinics=repo.clinic_ids_of(user), permission_version=user.permission_version,
        session_id=session_id,
    )


def sign_in(
    uow: UnitOfWork, *, email: str, password: str, practice_id: str | None,
    hashing: PasswordHashing, tokens: AccessTokenIssuer, catalog: UserTypeCatalog,
    now: datetime, account: str = UserKind.STAFF.value, origin: Origin = UNKNOWN_ORIGIN,
    sealer: SecretSealer, otp: str | None = None,
) -> Session:
    """Check the throttle, the password (argon2id) and the second factor, then start a
    refresh family.

    ``account`` is the kind of account signing in (staff, recipient, vendor): one never
    signs in as another. A vendor naming a practice gets in only under a grant active now.
    ``origin`` is the client's address and browser: failures slow down that address (see
    domain/sign_in.py) and every attempt's event records them.
    """
    kind = UserKind(account)
    email = email.strip().lower()
    with uow:
        repo = IdentityRepository(uow.session)
        candidates = repo.sign_in_candidates(
            email, practice_id if kind is UserKind.STAFF else None, kind)
        org_id = attempt_practice(repo, kind, email, practice_id)
        waiting = retry_at(recent_failures(uow, kind, email, now), origin.address, now)
        if waiting is not None:  # refused before any hashing: guessing costs us little
            refusal = throttled(waiting, now)
            publish_failure(uow, email=email, kind=kind, org_id=org_id, origin=origin,
                            refusal=refusal)
            uow.commit()
            raise refusal
    # Hash checks run outside any transaction; an unknown email checks a dummy hash.
    checked = candidates[:MOST_ACCOUNTS_CHECKED]
    matched = [user for user, stored in checked if hashing.verify(stored, password)]
    if not checked:
        hashing.verify(None, password)
    with uow:
        repo = IdentityRepository(uow.session)
        decision = judge_attempt(uow, kind=kind, email=email, credentials_valid=bool(matched),
                                 origin=origin, now=now)
        if not decision.accepted:
            publish_failure(uow, email=email, kind=kind, org_id=org_id, origin=origin,
                            refusal=decision.refusal)
            uow.commit()
            assert decision.refusal is not None
            raise decision.refusal
        if len(matched) > 1:
            uow.commit()
            raise PracticeChoiceRequired(
                "Your email signs in to several practices. Choose the practice and sign in "
                "again.",
                {"practices": [_practice_choice(repo, u) for u in matched]},
            )
        user = matched[0]
        grant = None
        if kind is UserKind.VENDOR and practice_id is not None:
            grant = _grant_for_sign_in(uow, user, practice_id, now, origin)
        passed = check_at_sign_in(uow, sealer, user, otp=otp, account=kind.value,
                                  practice_id=practice_id, catalog=catalog, now=now)
        stored = next(stored for u, stored in checked if u.id == user.id)
        if stored and hashing.needs_rehash(stored):
            repo.set_password_hash(user.id, hashing.hash(password))
        session = open_session(uow, user, grant, tokens=tokens, catalog=catalog, now=now,
                               origin=origin, second_factor=passed)
        uow.commit()
    return session


def open_session(uow: UnitOfWork, user: User, grant: VendorAccessGrant | None, *,
                 tokens: AccessTokenIssuer, catalog: UserTypeCatalog, now: datetime,
                 origin: Origin, second_factor: bool) -> Session:
    """Start a refresh family for a user whose sign-in passed; call inside an open unit of
    work (the caller commits)."""
    repo = IdentityRepository(uow.session)
    family, refresh = start_family(str(uuid.uuid4()), user.id, now)
    family = replace(family, second_factor=second_factor)
    repo.add_family(family)
    if user.kind is UserKind.VENDOR:
        VendorDirectory(uow.session).open_session(family.id, grant.id if grant else None)
    access = tokens.issue(access_claims(repo, user, catalog, grant, session_id=family.id), now)
    uow.publish(SESSION_SIGNED_IN.event(
        subject=Subject("user", user.id),
        org_id=grant.practice_id if grant else user.practice_id, actor=event_actor(user),
        data={"session_id": family.id, "account": user.kind.value, **origin_facts(origin),
              "second_factor": second_factor,
              **({"access_grant_id": grant.id} if grant else {})},
    ))
    if grant is not None:
        uow.publish(grant_used_event(user, grant, family.id))
    return Session(access, refresh.raw, tokens.lifetime_seconds, user.id)


def open_session_after_enrollment(
    uow: UnitOfWork, enrolled: Enrolled, *, tokens: AccessTokenIssuer,
    catalog: UserTypeCatalog, now: datetime, origin: Origin = UNKNOWN_ORIGIN,
) -> Session:
    """The session a sign-in was waiting to open until the second factor was enrolled."""
    user = enrolled.user
    with uow:
        grant = None
        if user.kind is UserKind.VENDOR and enrolled.practice_id is not None:
            grant = _grant_for_sign_in(uow, user, enrolled.practice_id, now, origin)
        session = open_session(uow, user, grant, tokens=tokens, catalog=catalog, now=now,
                               origin=origin, second_factor=True)
        uow.commit()
    return session


def refresh_session(
    uow: UnitOfWork, *, refresh_token: str, tokens: AccessTokenIssuer,
    catalog: UserTypeCatalog, now: datetime,
) -> Session:
    """Rotate the refresh token; a retired one coming back revokes its whole family."""
    with uow:
        repo = IdentityRepository(uow.session)
        family = repo.family_holding(hash_token(refresh_token))
        if family is None:
            raise RefreshRefused(SIGN_IN_AGAIN, {"reason": "unknown"})
        outcome = rotate(family, refresh_token, now)
        user = repo.user_by_id(family.user_id)
        if outcome.refusal is not None:
            if outcome.family.revoked_at != family.revoked_at:
                repo.save_family(outcome.family, now)
                _publish_revoked(uow, user, family.id, "reuse_detected")
                uow.commit()
            raise outcome.refusal
        if user is None or not user.active:
            repo.save_family(revoke_family(family, now, "user_inactive"), now)
            uow.commit()
            raise RefreshRefused(SIGN_IN_AGAIN, {"reason": "user_inactive"})
        if not family.second_factor and requirement_of(uow.session, user, catalog):
            repo.save_family(revoke_family(family, now, "second_factor_required"), now)
            _publish_revoked(uow, user, family.id, "second_factor_required")
            uow.commit()
            raise RefreshRefused(
                "Your account now signs in with a second factor. Sign in again to enrol "
                "your authenticator app.", {"reason": "second_factor_required"})
        grant = None
        if user.kind is UserKind.VENDOR:
            grant = VendorDirectory(uow.session).session_grant(family.id)
            if grant is not None and not grant.is_active(now):
                repo.save_family(revoke_family(family, now, "access_grant_ended"), now)
                _publish_revoked(uow, user, family.id, "access_grant_ended")
                uow.commit()
                raise RefreshRefused(
                    "Your access grant for this practice has ended. Ask a vendor support "
                    "admin for a new grant, then sign in again.",
                    {"reason": "access_grant_ended"})
        assert outcome.token is not None
        repo.save_family(outcome.family, now)
        access = tokens.issue(
            access_claims(repo, user, catalog, grant, session_id=family.id), now)
        uow.commit()
    return Session(access, outcome.token.raw, tokens.lifetime_seconds, user.id)


def sign_out(uow: UnitOfWork, *, refresh_token: str, now: datetime) -> None:
    """Revoke the session the refresh token belongs to; unknown tokens are fine (idempotent)."""
    with uow:
        repo = IdentityRepository(uow.session)
        family = repo.family_holding(hash_token(refresh_token))
        if family is None or family.revoked_at is not None:
            return
        repo.save_family(revoke_family(family, now, "signed_out"), now)
        user = repo.user_by_id(family.user_id)
        if user is not None:
            uow.publish(SESSION_SIGNED_OUT.event(
                subject=Subject("user", user.id),
                org_id=user.practice_id, actor=event_actor(user),
                data={"session_id": family.id},
            ))
        uow.commit()


def issue_password_setup(uow: UnitOfWork, user_id: str, now: datetime) -> str:
    """A one-time link token to set a first password; call inside an open unit of work."""
    setup, token = issue_password_reset(user_id, now)
    PasswordSetupRepository(uow.session).add(
        replace(setup, expires_at=now + PASSWORD_SETUP_LIFETIME)
    )
    return token.raw


def set_password(
    uow: UnitOfWork, *, token: str, password: str, hashing: PasswordHashing, now: datetime,
    catalog: UserTypeCatalog | None = None,
) -> None:
    """Spend a password-setup token; the policy is checked before the token is used up.

    Replacing a password the account already had also bumps its permission version, as a
    reset does, so access tokens issued under the old password stop at once.
    """
    with uow:
        setups = PasswordSetupRepository(uow.session)
        setup = setups.get(hash_token(token))
        if setup is None:
            raise LinkUnusable("This password link is not valid. Ask your practice's Admin "
                               "for a new one.")
        used = redeem_password_reset(setup, token, now)
        repo = IdentityRepository(uow.session)
        user = repo.user_by_id(setup.user_id)
        if user is None or not user.active:
            raise LinkUnusable("This account is not active. Ask your practice's Admin.")
        practice_name = repo.practice(user.practice_id).name if user.practice_id else ""
        check_password(password, practice_name=practice_name, email=user.email)
        setups.mark_used(used)
        # A new password ends every earlier link that could set one: other setup links
        # (a User Manager's copy, an older mail) and open reset links alike.
        setups.spend_all_of(user.id, now)
        PasswordResetRepository(uow.session).spend_all_of(user.id, now)
        replaced = repo.has_password(user.id)
        repo.set_password_hash(user.id, hashing.hash(password))
        for family in repo.open_families_of(user.id):
            repo.save_family(revoke_family(family, now, "password_set"), now)
        outdated = tokens_outdated(repo, user, catalog or load_catalog()) if replaced else {}
        uow.publish(USER_PASSWORD_SET.event(
            subject=Subject("user", user.id),
            org_id=user.practice_id, actor=event_actor(user),
            data={"replaced": replaced, **outdated},
        ))
        uow.commit()


def _publish_revoked(uow: UnitOfWork, user: User | None, family_id: str, reason: str) -> None:
    if user is None:
        return
    uow.publish(SESSION_REVOKED.event(
        subject=Subject("user", user.id), org_id=user.practice_id,
        actor=event_actor(user), data={"session_id": family_id, "reason": reason},
    ))


def _grant_for_sign_in(uow: UnitOfWork, user: User, practice_id: str, now: datetime,
                       origin: Origin) -> VendorAccessGrant:
    """The grant that lets a vendor into the practice now; refused (and recorded) if none."""
    grant = VendorDirectory(uow.session).active_grant(user.id, practice_id, now)
    if grant is None:
        known = PracticelessAccounts(uow.session).practice_name(practice_id) is not None
        publish_failure(uow, email=user.email, kind=user.kind,
                        org_id=practice_id if known else None, origin=origin,
                        facts={"user_id": user.id, "reason": "no_active_access_grant"})
        uow.commit()
        raise NoActiveAccessGrant(
            "You have no active access grant for this practice. Ask a vendor support admin "
            "for a grant with a purpose and an end time, then sign in again.",
            {"practice_id": practice_id})
    return grant


def grant_used_event(user: User, grant: VendorAccessGrant, session_id: str) -> Event:
    """A vendor entered a practice under a grant: every use is on the record."""
    return ACCESS_GRANT_USED.event(
        subject=Subject("access_grant", grant.id),
        org_id=grant.practice_id, actor=event_actor(user), data={
            "grant_id": grant.id, "user_id": user.id, "email": user.email,
            "email_domain": user.email.rpartition("@")[2], "kind": user.kind.value,
            "purpose": grant.purpose, "starts_at": grant.starts_at.isoformat(),
            "ends_at": grant.ends_at.isoformat(), "session_id": session_id,
        })


def _practice_choice(repo: IdentityRepository, user: User) -> dict[str, str]:
    return {"id": user.practice_id, "name": repo.practice(user.practice_id).name}
