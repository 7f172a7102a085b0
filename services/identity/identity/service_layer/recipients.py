"""Recipient accounts for the document portal: register with an email proof, see oneself.

A recipient is a user of no practice (kind ``recipient``) who holds no permissions. The
document portal proves the email address (the person opened a share link mailed to it)
with a short HS256 JWT signed with the secret both services share.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import jwt
from sqlalchemy.exc import IntegrityError

from identity.adapters.password_hashing import PasswordHashing
from identity.adapters.repository import IdentityRepository
from identity.adapters.vendor_directory import PracticelessAccounts
from identity.domain.errors import InvalidRequest
from identity.domain.passwords import check_password
from identity.domain.users import User, UserKind, normalize_email
from identity.events.users import RECIPIENT_REGISTERED
from identity.service_layer.callers import event_actor
from identity.service_layer.errors import InvalidProof, NotFoundInPractice, RecipientExists
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject

PROOF_ISSUER = "clinic-docportal"
PROOF_AUDIENCE = "clinic-identity:recipient-registration"
PROOF_LIFETIME_SECONDS = 30 * 60
PROOF_CLAIMS = ("exp", "iat", "sub", "jti", "iss", "aud")
RECIPIENT_EXISTS = ("An account with this email already exists. Sign in instead, or reset "
                    "your password.")
PROOF_UNUSABLE = ("This email confirmation is not valid or has expired. Open the link in the "
                  "email you received again to start over.")


def proven_email(proof: str, secret: str) -> str:
    """The address the document portal vouches for, or InvalidProof."""
    if not secret:
        raise InvalidProof(PROOF_UNUSABLE, {"reason": "not_configured"})
    try:
        claims = jwt.decode(
            proof, secret, algorithms=["HS256"], audience=PROOF_AUDIENCE, issuer=PROOF_ISSUER,
            options={"require": list(PROOF_CLAIMS)},
        )
    except jwt.PyJWTError as err:
        raise InvalidProof(PROOF_UNUSABLE, {"reason": type(err).__name__}) from None
    # A proof that claims to live longer than the portal ever issues is not one of its own.
    if not isinstance(claims["exp"], int) or not isinstance(claims["iat"], int) or (
        claims["exp"] - claims["iat"] > PROOF_LIFETIME_SECONDS
    ):
        raise InvalidProof(PROOF_UNUSABLE, {"reason": "lifetime"})
    try:
        return normalize_email(str(claims["sub"]))
    except InvalidRequest:
        raise InvalidProof(PROOF_UNUSABLE, {"reason": "subject"}) from None


def register_recipient(
    uow: UnitOfWork, *, proof: str, full_name: str, password: str, secret: str,
    hashing: PasswordHashing, now: datetime,
) -> User:
    """Create the recipient account for the proven email; one per address."""
    email = proven_email(proof, secret)
    name = full_name.strip()
    if not name:
        raise InvalidRequest("Enter your full name.", {"field": "full_name"})
    check_password(password, practice_name="", email=email)
    password_hash = hashing.hash(password)  # slow on purpose: outside the transaction
    user = User(id=str(uuid.uuid4()), email=email, full_name=name, kind=UserKind.RECIPIENT,
                # User types both as str, for the staff it mostly holds; a recipient has none.
                practice_id=None, user_type=None)  # type: ignore[arg-type]
    try:
        with uow:
            if PracticelessAccounts(uow.session).account_id(UserKind.RECIPIENT, email):
                raise RecipientExists(RECIPIENT_EXISTS)
            repo = IdentityRepository(uow.session)
            repo.add_user(user, now)
            repo.set_password_hash(user.id, password_hash)
            uow.publish(RECIPIENT_REGISTERED.event(
                subject=Subject("user", user.id),
                org_id=None, actor=event_actor(user), data=profile_facts(user),
            ))
            uow.commit()
    except IntegrityError:
        # Two registrations raced; the unique index let exactly one of them in.
        raise RecipientExists(RECIPIENT_EXISTS) from None
    return user


def recipient_profile(uow: UnitOfWork, user_id: str) -> tuple[User, datetime]:
    with uow:
        repo = IdentityRepository(uow.session)
        user = repo.user_by_id(user_id)
        if user is None or user.kind is not UserKind.RECIPIENT or not user.active:
            raise NotFoundInPractice("Your account no longer exists. Register again.")
        return user, repo.user_details(user_id)["created_at"]


def profile_facts(user: User) -> dict[str, object]:
    """What the audit service reads to recognize a profile (no practice, so no role)."""
    return {
        "user_id": user.id, "email": user.email, "email_domain": user.email.rpartition("@")[2],
        "full_name": user.full_name, "kind": user.kind.value,
        "status": "active" if user.active else "deactivated",
    }
