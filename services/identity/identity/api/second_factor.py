"""The second factor: enrolling from a sign-in, one's own factor, and a manager's reset."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from identity.api.callers import caller
from identity.api.origin import client_origin
from identity.bootstrap import identity
from identity.service_layer import second_factor as use_cases
from identity.service_layer.sessions import Session, open_session_after_enrollment
from servicekit.auth import authenticated, current_principal

blp = Blueprint("second_factor", __name__,
                description="TOTP second factor: enrollment, recovery codes, resets")

TOKEN = validate.Length(min=1, max=200)
CODE = validate.Length(min=1, max=40)


class EnrollmentTokenSchema(Schema):
    enrollment_token = fields.Str(required=True, validate=TOKEN)


class EnrollmentConfirmSchema(EnrollmentTokenSchema):
    code = fields.Str(required=True, validate=CODE, metadata={
        "description": "The 6-digit code the authenticator app shows"})


class CodeSchema(Schema):
    code = fields.Str(required=True, validate=CODE)


class OtpSchema(Schema):
    otp = fields.Str(required=True, validate=CODE, metadata={
        "description": "A current TOTP code, or one of your recovery codes"})


class NewFactorSchema(Schema):
    secret = fields.Str(metadata={"description": "Base32 secret for the authenticator app"})
    otpauth_uri = fields.Str(metadata={"description": "The same as an otpauth:// address "
                                                      "(what the QR code holds)"})
    digits = fields.Int()
    period = fields.Int()


class RecoveryCodesSchema(Schema):
    recovery_codes = fields.List(fields.Str(), metadata={
        "description": "Ten single-use codes, shown this once: keep them somewhere safe"})


class EnrolledSessionSchema(RecoveryCodesSchema):
    access_token = fields.Str()
    refresh_token = fields.Str()
    token_type = fields.Str()
    expires_in = fields.Int()


class StatusSchema(Schema):
    enrolled = fields.Bool()
    enrolled_at = fields.DateTime(allow_none=True)
    required = fields.Bool()
    required_because = fields.Str(allow_none=True, metadata={
        "description": "user_manager, vendor_staff or practice_policy"})
    recovery_codes_left = fields.Int()


def _new_factor(started: use_cases.NewFactor) -> dict[str, Any]:
    return {"secret": started.secret, "otpauth_uri": started.otpauth_uri, "digits": 6,
            "period": 30}


@blp.route("/second-factor/enrollment", methods=["POST"])
@blp.arguments(EnrollmentTokenSchema)
@blp.response(200, NewFactorSchema)
def start_enrollment(body: dict) -> dict[str, Any]:
    """Begin enrolling with the token a sign-in answered (403
    second_factor_enrollment_required): a new secret for the authenticator app."""
    ident = identity()
    return _new_factor(use_cases.start_enrollment(
        ident.uow(), ident.sealer, enrollment_token=body["enrollment_token"],
        issuer=ident.config.vendor_name, now=ident.now()))


@blp.route("/second-factor/enrollment/confirm", methods=["POST"])
@blp.arguments(EnrollmentConfirmSchema)
@blp.response(200, EnrolledSessionSchema)
def confirm_enrollment(body: dict) -> dict[str, Any]:
    """Confirm with the app's first code: the factor is on, the sign-in's session opens,
    and ten recovery codes are shown this once."""
    ident = identity()
    enrolled = use_cases.confirm_enrollment(
        ident.uow(), ident.sealer, enrollment_token=body["enrollment_token"],
        code=body["code"], now=ident.now())
    session: Session = open_session_after_enrollment(
        ident.uow(), enrolled, tokens=ident.tokens, catalog=ident.catalog, now=ident.now(),
        origin=client_origin())
    return {"access_token": session.access_token, "refresh_token": session.refresh_token,
            "token_type": "Bearer", "expires_in": session.expires_in,
            "recovery_codes": enrolled.recovery_codes}


@blp.route("/me/second-factor", methods=["GET"])
@authenticated(kinds=("staff", "vendor"))
@blp.response(200, StatusSchema)
def own_status() -> dict[str, Any]:
    """Whether you have a second factor, whether you must, and recovery codes left."""
    ident = identity()
    return use_cases.own_status(ident.uow(), ident.sealer, current_principal().user_id,
                                ident.catalog)


@blp.route("/me/second-factor", methods=["POST"])
@authenticated(kinds=("staff", "vendor"))
@blp.response(200, NewFactorSchema)
def begin_own_enrollment() -> dict[str, Any]:
    """Enrol by choice while signed in (409 if one is enrolled already)."""
    ident = identity()
    return _new_factor(use_cases.begin_own_enrollment(
        ident.uow(), ident.sealer, current_principal().user_id,
        issuer=ident.config.vendor_name))


@blp.route("/me/second-factor/confirm", methods=["POST"])
@authenticated(kinds=("staff", "vendor"))
@blp.arguments(CodeSchema)
@blp.response(200, RecoveryCodesSchema)
def confirm_own_enrollment(body: dict) -> dict[str, Any]:
    """Confirm your enrollment with the app's first code; recovery codes shown once."""
    ident = identity()
    principal = current_principal()
    return {"recovery_codes": use_cases.confirm_own_enrollment(
        ident.uow(), ident.sealer, principal.user_id, code=body["code"],
        session_id=principal.session_id, now=ident.now())}


@blp.route("/me/second-factor/recovery-codes", methods=["POST"])
@authenticated(kinds=("staff", "vendor"))
@blp.arguments(OtpSchema)
@blp.response(200, RecoveryCodesSchema)
def renew_recovery_codes(body: dict) -> dict[str, Any]:
    """Ten new recovery codes against a current code; the old ones stop working."""
    ident = identity()
    return {"recovery_codes": use_cases.renew_recovery_codes(
        ident.uow(), ident.sealer, current_principal().user_id, otp=body["otp"],
        now=ident.now())}


@blp.route("/me/second-factor/removal", methods=["POST"])
@authenticated(kinds=("staff", "vendor"))
@blp.arguments(OtpSchema)
@blp.response(204)
def remove_own(body: dict) -> None:
    """Turn your second factor off against a current code (403 when your account needs
    one: User Managers, vendor staff, practices that require it)."""
    ident = identity()
    use_cases.remove_own(ident.uow(), ident.sealer, current_principal().user_id,
                         otp=body["otp"], catalog=ident.catalog, now=ident.now())


@blp.route("/users/<user_id>/second-factor", methods=["DELETE"])
@authenticated(kinds=("staff",))
@blp.response(204)
def reset_for_user(user_id: str) -> None:
    """A User Manager resets a colleague's lost second factor: their sessions end and they
    enrol again at their next sign-in."""
    ident = identity()
    use_cases.reset_for_user(ident.uow(), ident.sealer, caller(), user_id,
                             catalog=ident.catalog, now=ident.now())
