"""Second-factor use cases: the check inside sign-in, enrollment, recovery codes, resets.

See domain/second_factor.py for the rules. Sign-in calls ``check_at_sign_in`` once the
password is right; an account that must have a factor and has none gets a one-time
enrollment token instead of a session, and spends it on ``start_enrollment`` and
``confirm_enrollment`` (which opens the session). Signed-in people enrol, renew recovery
codes and remove a factor they need not have through the ``own_*`` use cases; a User
Manager resets a colleague's lost factor with ``reset_for_user``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from identity.adapters.practice_settings_repository import PracticeSettingsRepository
from identity.adapters.repository import IdentityRepository
from identity.adapters.second_factors import Enrollment, SecondFactors, SecretSealer
from identity.domain import second_factor as rules
from identity.domain.catalog import UserTypeCatalog
from identity.domain.errors import (
    LinkExpired,
    LinkUnusable,
    NotAllowed,
    SecondFactorEnrollmentRequired,
    SecondFactorRequired,
    StateConflict,
)
from identity.domain.practice_settings import SettingsArea, current_settings
from identity.domain.profile_rules import require_user_manager
from identity.domain.refresh_tokens import revoke_family
from identity.domain.second_factor import SecondFactor
from identity.domain.tokens import hash_token, issue_token
from identity.domain.users import User, UserKind
from identity.events.access import (
    SECOND_FACTOR_CODE_REFUSED,
    SECOND_FACTOR_ENROLLED,
    SECOND_FACTOR_RECOVERY_CODE_USED,
    SECOND_FACTOR_RECOVERY_CODES_RENEWED,
    SECOND_FACTOR_REMOVED,
    SECOND_FACTOR_RESET,
    SESSION_REVOKED,
)
from identity.service_layer.callers import Caller, event_actor, load_actor
from identity.service_layer.errors import NotFoundInPractice
from servicekit.db import UnitOfWork
from servicekit.messaging.definitions import EventDefinition
from servicekit.messaging.envelope import Subject

ENROL_FIRST = ("Your account must sign in with a second factor. Enrol an authenticator app: "
               "POST the enrollment_token to /second-factor/enrollment, add the secret to the "
               "app, then confirm with a code at /second-factor/enrollment/confirm.")


@dataclass(frozen=True)
class NewFactor:
    secret: str
    otpauth_uri: str


@dataclass(frozen=True)
class Enrolled:
    user: User
    account: str
    practice_id: str | None
    recovery_codes: list[str]


def requirement_of(session: Any, user: User, catalog: UserTypeCatalog) -> str | None:
    """Why ``user`` must use a second factor (user_manager, vendor_staff, practice_policy)."""
    practice_requires = False
    if user.kind is UserKind.STAFF and user.practice_id:
        practice_requires = bool(current_settings(
            SettingsArea.SECURITY, PracticeSettingsRepository(session).stored(
                user.practice_id, SettingsArea.SECURITY.value))["require_second_factor"])
    permissions = user.permissions(catalog) if user.kind is UserKind.STAFF else frozenset()
    return rules.requirement(user.kind, permissions, practice_requires)


def check_at_sign_in(uow: UnitOfWork, sealer: SecretSealer, user: User, *, otp: str | None,
                     account: str, practice_id: str | None, catalog: UserTypeCatalog,
                     now: datetime) -> bool:
    """True once a code passed; False when the account neither has nor needs a factor.

    Raises (after committing what it must keep) when the sign-in cannot go on: no code
    yet, a wrong one, too many wrong ones, or an enrollment that must come first.
    """
    factors = SecondFactors(uow.session, sealer)
    factor = factors.of(user.id, for_update=True)
    if factor is None or not factor.enrolled:
        reason = requirement_of(uow.session, user, catalog)
        if reason is None:
            return False
        token = _issue_enrollment(factors, user, account, practice_id, now)
        uow.commit()
        raise SecondFactorEnrollmentRequired(ENROL_FIRST, {
            "enrollment_token": token, "reason": reason,
            "expires_in": int(rules.ENROLLMENT_LIFETIME.total_seconds())})
    if not otp:
        raise SecondFactorRequired(rules.ENTER_A_CODE, {"methods": ["totp", "recovery_code"]})
    _verify(uow, factors, factor, otp, now)
    return True


def _verify(uow: UnitOfWork, factors: SecondFactors, factor: SecondFactor, code: str,
            now: datetime) -> None:
    """Accept a TOTP code or an unused recovery code; count and refuse anything else."""
    rules.check_not_throttled(factor, now)
    step = rules.matching_step(factor, code, now)
    if step is not None:
        factors.save_state(rules.code_accepted(factor, step))
        return
    if rules.looks_like_recovery_code(code) and factors.spend_recovery_code(
            factor.user_id, rules.recovery_code_hash(code), now):
        factors.save_state(replace(factor, wrong_codes=0, wrong_since=None))
        _publish(uow, factor.user_id, SECOND_FACTOR_RECOVERY_CODE_USED,
                 {"recovery_codes_left": factors.recovery_codes_left(factor.user_id)})
        return
    factors.save_state(rules.code_refused(factor, now))
    _publish(uow, factor.user_id, SECOND_FACTOR_CODE_REFUSED,
             {"wrong_codes": rules.code_refused(factor, now).wrong_codes})
    uow.commit()
    raise rules.wrong_code()


def _issue_enrollment(factors: SecondFactors, user: User, account: str,
                      practice_id: str | None, now: datetime) -> str:
    token = issue_token()
    factors.add_enrollment(token.hash, Enrollment(
        user_id=user.id, account=account, practice_id=practice_id,
        expires_at=rules.enrollment_expires(now), used_at=None))
    return token.raw


# --- enrollment opened by sign-in ------------------------------------------------------


def start_enrollment(uow: UnitOfWork, sealer: SecretSealer, *, enrollment_token: str,
                     issuer: str, now: datetime) -> NewFactor:
    """A new secret for the account the token was issued to (replacing a pending one)."""
    with uow:
        factors = SecondFactors(uow.session, sealer)
        user = _enrolling_user(uow, factors, enrollment_token, now)
        started = _new_pending_factor(factors, user, issuer)
        uow.commit()
    return started


def confirm_enrollment(uow: UnitOfWork, sealer: SecretSealer, *, enrollment_token: str,
                       code: str, now: datetime) -> Enrolled:
    """The first code proves the app holds the secret: the factor is on, and ten recovery
    codes are handed out once. The token is spent; the caller opens the session."""
    with uow:
        factors = SecondFactors(uow.session, sealer)
        user = _enrolling_user(uow, factors, enrollment_token, now)
        enrollment = factors.enrollment(hash_token(enrollment_token))
        assert enrollment is not None
        codes = _turn_on(uow, factors, user.id, code, now)
        factors.spend_enrollments_of(user.id, now)
        uow.commit()
    return Enrolled(user, enrollment.account, enrollment.practice_id, codes)


def _enrolling_user(uow: UnitOfWork, factors: SecondFactors, token: str,
                    now: datetime) -> User:
    enrollment = factors.enrollment(hash_token(token))
    if enrollment is None or enrollment.used_at is not None:
        raise LinkUnusable("This enrollment token is not valid or was used. Sign in again to "
                           "get a new one.")
    if enrollment.expires_at <= now:
        raise LinkExpired("This enrollment token has expired. Sign in again to get a new one.")
    user = IdentityRepository(uow.session).user_by_id(enrollment.user_id)
    if user is None or not user.active:
        raise LinkUnusable("This account is not active. Ask your practice's Admin.")
    return user


def _new_pending_factor(factors: SecondFactors, user: User, issuer: str) -> NewFactor:
    existing = factors.of(user.id, for_update=True)
    if existing is not None and existing.enrolled:
        raise StateConflict("A second factor is already enrolled for this account. Sign in "
                            "with a code from it, or ask a User Manager to reset it.")
    factor = rules.new_secret(user.id)
    factors.put(factor)
    return NewFactor(factor.secret, rules.provisioning_uri(factor, user.email, issuer))


def _turn_on(uow: UnitOfWork, factors: SecondFactors, user_id: str, code: str,
             now: datetime) -> list[str]:
    factor = factors.of(user_id, for_update=True)
    if factor is None or factor.enrolled:
        raise StateConflict("There is no enrollment waiting for a code. Start the enrollment "
                            "again to get a secret.")
    rules.check_not_throttled(factor, now)
    step = rules.matching_step(factor, code, now)
    if step is None:
        factors.save_state(rules.code_refused(factor, now))
        uow.commit()
        raise rules.wrong_code()
    factors.save_state(replace(rules.code_accepted(factor, step), enrolled_at=now))
    codes = _new_recovery_codes(factors, user_id)
    _publish(uow, user_id, SECOND_FACTOR_ENROLLED,
             {"recovery_codes": len(codes)})
    return codes


def _new_recovery_codes(factors: SecondFactors, user_id: str) -> list[str]:
    codes = rules.new_recovery_codes()
    factors.replace_recovery_codes(user_id, [rules.recovery_code_hash(c) for c in codes])
    return codes


# --- the signed-in person's own factor -------------------------------------------------


def own_status(uow: UnitOfWork, sealer: SecretSealer, user_id: str,
               catalog: UserTypeCatalog) -> dict[str, Any]:
    with uow:
        factors = SecondFactors(uow.session, sealer)
        user = _user(uow, user_id)
        factor = factors.of(user_id)
        enrolled = factor is not None and factor.enrolled
        return {"enrolled": enrolled,
                "enrolled_at": factor.enrolled_at if factor is not None and enrolled else None,
                "required": requirement_of(uow.session, user, catalog) is not None,
                "required_because": requirement_of(uow.session, user, catalog),
                "recovery_codes_left": factors.recovery_codes_left(user_id) if enrolled else 0}


def begin_own_enrollment(uow: UnitOfWork, sealer: SecretSealer, user_id: str, *,
                         issuer: str) -> NewFactor:
    with uow:
        started = _new_pending_factor(SecondFactors(uow.session, sealer),
                                      _user(uow, user_id), issuer)
        uow.commit()
    return started


def confirm_own_enrollment(uow: UnitOfWork, sealer: SecretSealer, user_id: str, *,
                           code: str, session_id: str | None, now: datetime) -> list[str]:
    """Turn the factor on; the session that enrolled counts as having passed it."""
    with uow:
        codes = _turn_on(uow, SecondFactors(uow.session, sealer), user_id, code, now)
        if session_id:
            IdentityRepository(uow.session).mark_second_factor(session_id, user_id)
        uow.commit()
    return codes


def renew_recovery_codes(uow: UnitOfWork, sealer: SecretSealer, user_id: str, *, otp: str,
                         now: datetime) -> list[str]:
    """A fresh set of ten (the old ones stop working), against a current code."""
    with uow:
        factors = SecondFactors(uow.session, sealer)
        _verify(uow, factors, _enrolled_factor(factors, user_id), otp, now)
        codes = _new_recovery_codes(factors, user_id)
        _publish(uow, user_id, SECOND_FACTOR_RECOVERY_CODES_RENEWED,
                 {"recovery_codes": len(codes)})
        uow.commit()
    return codes


def remove_own(uow: UnitOfWork, sealer: SecretSealer, user_id: str, *, otp: str,
               catalog: UserTypeCatalog, now: datetime) -> None:
    """Turn the factor off, against a current code, unless the account needs one."""
    with uow:
        factors = SecondFactors(uow.session, sealer)
        reason = requirement_of(uow.session, _user(uow, user_id), catalog)
        if reason is not None:
            raise NotAllowed("Your account must sign in with a second factor, so it cannot be "
                             "turned off. To move it to a new phone, ask a User Manager to "
                             "reset it and enrol again at your next sign-in.",
                             {"required_because": reason})
        _verify(uow, factors, _enrolled_factor(factors, user_id), otp, now)
        factors.remove(user_id)
        _publish(uow, user_id, SECOND_FACTOR_REMOVED, {})
        uow.commit()


def _enrolled_factor(factors: SecondFactors, user_id: str) -> SecondFactor:
    factor = factors.of(user_id, for_update=True)
    if factor is None or not factor.enrolled:
        raise StateConflict("You have no second factor enrolled. Enrol one first.")
    return factor


# --- a User Manager resets a colleague's factor ----------------------------------------


def reset_for_user(uow: UnitOfWork, sealer: SecretSealer, caller: Caller, user_id: str, *,
                   catalog: UserTypeCatalog, now: datetime) -> None:
    """A lost phone: the factor and recovery codes go, every session of the user ends, and
    the user enrols again at the next sign-in. Never one's own (use a recovery code)."""
    with uow:
        repo = IdentityRepository(uow.session)
        actor = load_actor(repo, caller, now)
        require_user_manager(actor, catalog)
        target = repo.user(caller.org_id, user_id)
        if target is None:
            raise NotFoundInPractice("There is no such user in your practice.",
                                     {"user_id": user_id})
        if target.id == actor.user.id:
            raise NotAllowed("You cannot reset your own second factor. Sign in with a recovery "
                             "code and enrol again, or ask another User Manager.")
        SecondFactors(uow.session, sealer).remove(target.id)
        ended = []
        for family in repo.open_families_of(target.id):
            repo.save_family(revoke_family(family, now, "second_factor_reset"), now)
            ended.append(family.id)
            uow.publish(SESSION_REVOKED.event(
                subject=Subject("user", target.id),
                org_id=target.practice_id, actor=event_actor(actor.user),
                data={"session_id": family.id, "reason": "second_factor_reset"}))
        uow.publish(SECOND_FACTOR_RESET.event(
            subject=Subject("user", target.id),
            org_id=target.practice_id, actor=event_actor(actor.user),
            data={"sessions_ended": len(ended)}))
        uow.commit()


def _user(uow: UnitOfWork, user_id: str) -> User:
    user = IdentityRepository(uow.session).user_by_id(user_id)
    if user is None:
        raise LinkUnusable("This account no longer exists.")
    return user


def _publish(uow: UnitOfWork, user_id: str, definition: EventDefinition,
             data: dict[str, Any]) -> None:
    user = IdentityRepository(uow.session).user_by_id(user_id)
    assert user is not None
    uow.publish(definition.event(subject=Subject("user", user.id),
                          org_id=user.practice_id, actor=event_actor(user), data=data))
