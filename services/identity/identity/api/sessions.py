"""Sign-in, tokens, the first password, the caller's own profile and the public keys."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from identity.api.bodies import user_body, user_type_body
from identity.api.callers import caller
from identity.api.invitations import role_profile_body
from identity.api.origin import client_origin
from identity.api.recipients import recipient_profile_body
from identity.api.schemas import (
    AccountLoginSchema,
    AccountProfileSchema,
    PasswordSetSchema,
    RefreshSchema,
    TokensSchema,
)
from identity.api.vendor import vendor_caller, vendor_profile_body
from identity.bootstrap import identity
from identity.service_layer import recipients, sessions, vendor
from identity.service_layer.callers import Caller
from identity.service_layer.invitations import role_profile_of
from identity.service_layer.users import get_user
from servicekit.auth import authenticated, current_principal
from servicekit.web.openapi import documents_errors

blp = Blueprint("sessions", __name__, description="Sign-in, tokens and the caller's profile")


def _tokens(session: sessions.Session) -> dict[str, Any]:
    return {"access_token": session.access_token, "refresh_token": session.refresh_token,
            "token_type": "Bearer", "expires_in": session.expires_in}


@blp.route("/login", methods=["POST"])
@documents_errors(429)
@blp.arguments(AccountLoginSchema)
@blp.response(200, TokensSchema)
def login(body: dict) -> dict[str, Any]:
    """Sign in with email and password; the same 401 for every wrong combination.

    An address that keeps failing for one email waits (429 sign_in_throttled, Retry-After);
    an address with no recent failure is never refused.

    ``account``: staff (default), recipient or vendor. A vendor naming ``practice_id``
    gets in only under an access grant active now (403 no_active_access_grant otherwise).

    Second factor: an account with one answers 401 ``second_factor_required`` until the
    body carries ``otp`` (a TOTP code or a recovery code). User Managers, vendor staff and
    the staff of practices that require it, not yet enrolled, get 403
    ``second_factor_enrollment_required`` with an ``enrollment_token`` in its details: see
    POST /second-factor/enrollment.
    """
    ident = identity()
    session = sessions.sign_in(
        ident.uow(), email=body["email"], password=body["password"],
        practice_id=body["practice_id"], hashing=ident.hashing, tokens=ident.tokens,
        catalog=ident.catalog, now=ident.now(), account=body["account"],
        origin=client_origin(), sealer=ident.sealer, otp=body["otp"],
    )
    return _tokens(session)


@blp.route("/token/refresh", methods=["POST"])
@blp.arguments(RefreshSchema)
@blp.response(200, TokensSchema)
def refresh(body: dict) -> dict[str, Any]:
    """Trade a refresh token for new tokens; the old refresh token stops working."""
    ident = identity()
    session = sessions.refresh_session(
        ident.uow(), refresh_token=body["refresh_token"], tokens=ident.tokens,
        catalog=ident.catalog, now=ident.now(),
    )
    return _tokens(session)


@blp.route("/logout", methods=["POST"])
@blp.arguments(RefreshSchema)
@blp.response(204)
def logout(body: dict) -> None:
    """End the session the refresh token belongs to."""
    ident = identity()
    sessions.sign_out(ident.uow(), refresh_token=body["refresh_token"], now=ident.now())


@blp.route("/password/set", methods=["POST"])
@documents_errors(410)
@blp.arguments(PasswordSetSchema)
@blp.response(204)
def set_password(body: dict) -> None:
    """Set a password with a one-time setup token; every open session ends."""
    ident = identity()
    sessions.set_password(ident.uow(), token=body["token"], password=body["password"],
                          hashing=ident.hashing, now=ident.now(), catalog=ident.catalog)


@blp.route("/me", methods=["GET"])
@authenticated(kinds=("staff", "recipient", "vendor"))
@blp.response(200, AccountProfileSchema)
def me() -> dict[str, Any]:
    """The caller's profile: user type and its defaults, permissions, clinics.

    Recipients get their account (no practice, no permissions); vendor staff theirs,
    with the access grant their token runs under.
    """
    ident = identity()
    kind = current_principal().kind
    if kind == "recipient":
        user, created_at = recipients.recipient_profile(ident.uow(), current_principal().user_id)
        return recipient_profile_body(user, created_at)
    if kind == "vendor":
        return vendor_profile_body(vendor.vendor_profile(ident.uow(), vendor_caller(),
                                                         ident.now()))
    return staff_profile_body(caller())


def staff_profile_body(me: Caller) -> dict[str, Any]:
    """A staff member's own profile, as /me answers it and the staff home page shows it."""
    ident = identity()
    view = get_user(ident.uow(), me, me.user_id, ident.catalog)
    profile = role_profile_of(ident.uow(), me, ident.catalog)
    return {**user_body(view), "org_id": me.org_id,
            "user_type_details": user_type_body(ident.catalog.get(view.user.user_type)),
            "role_profile": role_profile_body(profile)}


@blp.route("/.well-known/jwks.json", methods=["GET"])
def jwks() -> dict[str, Any]:
    """The public keys that verify access tokens (every service fetches these)."""
    return identity().keys.jwks()
