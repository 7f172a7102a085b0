"""Request and response bodies of the identity API (marshmallow at the edge)."""

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from identity.domain.profile_rules import ACKNOWLEDGEMENT
from identity.domain.vendor_support import GrantScope
from servicekit.web.schemas import ChangeSchema

# PostgreSQL text cannot hold NUL: refuse it at the edge rather than fail in the database.
NO_NUL = validate.Regexp(r"^[^\x00]*$", error="Remove the NUL character from this text.")


class LoginSchema(Schema):
    email = fields.Str(required=True, validate=validate.Length(min=1, max=320))
    password = fields.Str(required=True, validate=validate.Length(min=1, max=1024))
    practice_id = fields.Str(load_default=None, allow_none=True)
    otp = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=40),
                     metadata={"description": "The 6-digit code from the authenticator "
                                              "app, or a recovery code, for an account with "
                                              "a second factor (401 second_factor_required "
                                              "asks for it)"})


class TokensSchema(Schema):
    access_token = fields.Str()
    refresh_token = fields.Str()
    token_type = fields.Str(dump_default="Bearer")
    expires_in = fields.Int(metadata={"description": "Seconds the access token is valid"})


class RefreshSchema(Schema):
    refresh_token = fields.Str(required=True, validate=validate.Length(min=1, max=200))


class PasswordSetSchema(Schema):
    token = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    password = fields.Str(required=True, validate=validate.Length(max=1024))


class UserSchema(Schema):
    id = fields.Str()
    email = fields.Str()
    full_name = fields.Str()
    user_type = fields.Str()
    kind = fields.Str()
    status = fields.Str()
    default_clinic_id = fields.Str(allow_none=True)
    clinics = fields.List(fields.Str())
    supervising_therapist_id = fields.Str(allow_none=True)
    permission_version = fields.Int()
    created_at = fields.AwareDateTime()
    practice_role = fields.Str(allow_none=True, metadata={
        "description": "owner_manager, practitioner or front_desk (staff only)"})
    clinical_role = fields.Str(allow_none=True, metadata={"description": "Practitioners only"})
    # Present only for User Managers (and for one's own profile).
    permission_level = fields.Str(metadata={"description": "admin (manage_users) or user"})
    permissions = fields.List(fields.Str())
    granted = fields.List(fields.Str())
    revoked = fields.List(fields.Str())


class UserTypeSchema(Schema):
    code = fields.Str()
    name = fields.Str()
    category = fields.Str()
    discipline = fields.Str(allow_none=True)
    default_permissions = fields.List(fields.Str())
    cpt_codes = fields.List(fields.Str())
    counts_toward_seats = fields.Bool()
    may_bill = fields.Bool()
    may_write_notes = fields.Bool()
    billing_codes = fields.Str(metadata={
        "description": "catalog (cpt_codes lists them), manual (entered by hand) or none"})
    practice_model = fields.Str(metadata={"description": "therapy or dental"})
    practice_role = fields.Str(allow_none=True)
    clinical_role = fields.Str(allow_none=True)


class MeSchema(UserSchema):
    org_id = fields.Str()
    user_type_details = fields.Nested(UserTypeSchema)


class NewUserSchema(Schema):
    email = fields.Str(required=True, validate=validate.Length(min=3, max=320))
    full_name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    user_type = fields.Str(load_default=None, allow_none=True)
    default_clinic_id = fields.Str(load_default=None, allow_none=True)
    clinic_ids = fields.List(fields.Str(), load_default=list)
    supervising_therapist_id = fields.Str(load_default=None, allow_none=True)
    practice_role = fields.Str(
        load_default=None, allow_none=True,
        validate=validate.OneOf(["owner_manager", "practitioner", "front_desk"]),
        metadata={"description": "The role in the practice; a dental practice needs it (or a "
                                 "dental user_type): the type follows the role"})
    clinical_role = fields.Str(
        load_default=None, allow_none=True,
        validate=validate.OneOf(["dentist", "hygienist", "oral_health_therapist", "other"]),
        metadata={"description": "Practitioners only, and required for them"})
    practitioner_id = fields.Str(
        load_default=None, allow_none=True, validate=[validate.Length(max=36), NO_NUL],
        metadata={"description": "Practitioners: link this free record (GET /practitioners)"})
    confirm_new_practitioner = fields.Bool(
        load_default=False,
        metadata={"description": "A new record although its name matches a record or an "
                                 "open invitation"})


class UserAddedSchema(UserSchema):
    mail_status = fields.Str(metadata={
        "description": "sent: the person got the get-started mail with their password link; "
                       "pending: the mail server was down, they use \"Forgot password\""})


class Acknowledgement(fields.Field[bool]):
    """An explicit yes: JSON ``true`` or the phrase the screen asks to type; anything else no."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> bool:
        return value is True or value == ACKNOWLEDGEMENT


class PermissionChangeSchema(Schema):
    grant = fields.List(fields.Str(), load_default=list)
    revoke = fields.List(fields.Str(), load_default=list)
    acknowledge = Acknowledgement(
        load_default=False, allow_none=True,
        metadata={"description": 'true, or exactly "Yes, I understand", to grant finish_notes '
                                 "to an assistant"},
    )
    acting_clinic_id = fields.Str(load_default=None, allow_none=True)


class NoticeSchema(Schema):
    code = fields.Str()
    message = fields.Str()


class PermissionChangedSchema(UserSchema):
    notices = fields.List(fields.Nested(NoticeSchema))


class UserTypeChangeSchema(Schema):
    user_type = fields.Str(required=True)
    acting_clinic_id = fields.Str(
        load_default=None, allow_none=True, validate=NO_NUL,
        metadata={"description": "The clinic the change is made from; a Billing user's type "
                                 "changes only from that user's default clinic"},
    )


class ActingClinicSchema(Schema):
    acting_clinic_id = fields.Str(load_default=None, allow_none=True)


class ClinicSchema(Schema):
    id = fields.Str()
    name = fields.Str()
    settings = fields.Dict()


class ClinicSettingsSchema(ChangeSchema):
    assistants_may_finalize = fields.Bool()
    time_zone = fields.Str(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "IANA time zone name, e.g. America/New_York: the clinic's "
                                 "times are shown in it", "example": "America/New_York"})


class NewClinicSchema(Schema):
    name = fields.Str(required=True, validate=[validate.Length(min=1, max=200), NO_NUL],
                      metadata={"description": "Unique in the practice, whatever the case"})
    assistants_may_finalize = fields.Bool(
        metadata={"description": "Default: on, as for the practice's first clinic"})
    time_zone = fields.Str(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "IANA time zone name. Default: the zone of the practice's "
                                 "other clinics when they share one, else UTC",
                  "example": "America/Chicago"})


class BillingIntegrationSchema(Schema):
    billing_integration = fields.Str(
        required=True, allow_none=True, validate=[validate.Length(max=100), NO_NUL],
        metadata={"description": "The billing system's name; null: no integration"},
    )
    provider_ids = fields.List(
        fields.Str(validate=validate.Length(min=1, max=36)), load_default=list,
        validate=validate.Length(max=1000),
        metadata={"description": "Users of the practice who are providers in it"},
    )


class InvitationRequestSchema(Schema):
    full_name = fields.Str(required=True, validate=[validate.Length(min=1, max=200), NO_NUL])
    email = fields.Str(required=True,
                       validate=[validate.Length(min=3, max=320), validate.Email(), NO_NUL])
    practice_role = fields.Str(
        required=True, validate=validate.OneOf(["owner_manager", "practitioner", "front_desk"])
    )
    permission_level = fields.Str(
        load_default=None, allow_none=True, validate=validate.OneOf(["admin", "user"]),
        metadata={"description": "Default: admin for owner_manager, user otherwise"},
    )
    clinical_role = fields.Str(
        load_default=None, allow_none=True,
        validate=validate.OneOf(["dentist", "hygienist", "oral_health_therapist", "other"]),
        metadata={"description": "Practitioners only, and required for them"},
    )
    user_type = fields.Str(load_default=None, allow_none=True, validate=NO_NUL)
    practitioner_id = fields.Str(
        load_default=None, allow_none=True, validate=NO_NUL,
        metadata={"description": "Link this existing practitioner record (practitioners)"},
    )
    confirm_new_practitioner = fields.Bool(
        load_default=False,
        metadata={"description": "A new record although the name matches an existing one"},
    )
    default_clinic_id = fields.Str(
        load_default=None, allow_none=True, validate=NO_NUL,
        metadata={"description": "Default: the practice's clinic when it has only one; "
                                 "required for a Billing user otherwise"},
    )
    supervising_therapist_id = fields.Str(
        load_default=None, allow_none=True, validate=[validate.Length(max=36), NO_NUL],
        metadata={"description": "Assistants and students: an active therapist of the practice"},
    )


class InvitationSchema(Schema):
    id = fields.Str()
    email = fields.Str()
    full_name = fields.Str()
    practice_role = fields.Str()
    permission_level = fields.Str()
    clinical_role = fields.Str(allow_none=True)
    user_type = fields.Str()
    practitioner_id = fields.Str(allow_none=True)
    new_practitioner_name = fields.Str(allow_none=True)
    default_clinic_id = fields.Str(allow_none=True)
    invited_by = fields.Str()
    status = fields.Str(metadata={"description": "pending, expired, accepted or revoked"})
    mail_status = fields.Str(metadata={"description": "sent, or pending: resend to retry"})
    sent_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()
    accepted_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)
    user_id = fields.Str(allow_none=True)
    supervising_therapist_id = fields.Str(allow_none=True)


class InvitationAcceptSchema(Schema):
    token = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    password = fields.Str(required=True, validate=validate.Length(max=1024))
    practitioner_id = fields.Str(
        load_default=None, allow_none=True, validate=[validate.Length(max=36), NO_NUL],
        metadata={"description": "Practitioners: the free practitioner record you are "
                                 "(default: the one the invitation names, or a new one)"})
    confirm_new_practitioner = fields.Bool(
        load_default=False,
        metadata={"description": "Practitioners: a new record although its name matches one"})
    supervising_therapist_id = fields.Str(
        load_default=None, allow_none=True, validate=[validate.Length(max=36), NO_NUL],
        metadata={"description": "Assistants and students: name or confirm the supervising "
                                 "therapist (default: the one the invitation gave)"},
    )


class JoinedSchema(Schema):
    user_id = fields.Str()
    org_id = fields.Str()
    email = fields.Str()


class PasswordForgotSchema(Schema):
    email = fields.Str(required=True, validate=[validate.Length(min=1, max=320), NO_NUL])
    account = fields.Str(load_default="staff", validate=validate.OneOf(["staff", "recipient"]))


class PasswordForgotAnswerSchema(Schema):
    status = fields.Str()


class PasswordResetSchema(Schema):
    token = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    password = fields.Str(required=True, validate=validate.Length(max=1024))


class RoleProfileSchema(Schema):
    practice_role = fields.Str()
    permission_level = fields.Str()
    clinical_role = fields.Str(allow_none=True)
    practitioner_id = fields.Str(allow_none=True)
    landing_page = fields.Str(metadata={
        "description": "patient_engagement, synced_patients (case_presentations where the "
                       "practice has no integration) or conversations"})
    insights = fields.Dict(keys=fields.Str(), values=fields.Str(), metadata={
        "description": "clinical_insights, patient_reports, patient_engagement: each "
                       "practice, own_patients (where the person is the assigned "
                       "practitioner) or none"})
    notifications = fields.List(fields.Str(), metadata={"description": "On by default"})
    digests = fields.List(fields.Str(), metadata={"description": "On by default"})
    digests_available = fields.List(fields.Str(), metadata={
        "description": "Digests this person may turn on; empty: none for the role"})
    admin_areas = fields.List(fields.Str())


class ProfileSchema(MeSchema):
    role_profile = fields.Nested(RoleProfileSchema)


# --- recipients, vendor staff and access grants ---------------------------------------

ACCOUNTS = ("staff", "recipient", "vendor")
GRANT_SCOPE_NAMES = tuple(scope.value for scope in GrantScope)


class AccountLoginSchema(LoginSchema):
    account = fields.Str(
        load_default="staff", validate=validate.OneOf(ACCOUNTS),
        metadata={"description": "The kind of account signing in. A vendor employee names "
                                 "practice_id to enter a practice under an active access "
                                 "grant, or leaves it out for the vendor's own directory"},
    )

    @validates_schema
    def recipients_have_no_practice(self, data: dict, **_: object) -> None:
        if data.get("account") == "recipient" and data.get("practice_id"):
            raise ValidationError("A recipient account belongs to no practice; leave "
                                  "practice_id out.", "practice_id")


class RecipientRegistrationSchema(Schema):
    proof = fields.Str(required=True, validate=validate.Length(min=1, max=4096),
                       metadata={"description": "The email proof from the document portal"})
    full_name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    password = fields.Str(required=True, validate=validate.Length(max=1024))


class RecipientSchema(Schema):
    id = fields.Str()
    email = fields.Str()
    full_name = fields.Str()
    kind = fields.Str()


class AccessGrantSchema(Schema):
    id = fields.Str()
    practice_id = fields.Str()
    user_id = fields.Str(metadata={"description": "The vendor employee let in"})
    email = fields.Str()
    full_name = fields.Str()
    purpose = fields.Str()
    scope = fields.Str(metadata={"description": "What the grant lets the vendor do: support "
                                                "or revenue_cycle"})
    permissions = fields.List(fields.Str(), metadata={
        "description": "The permissions the vendor's token carries under this grant"})
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    granted_by = fields.Str()
    granted_at = fields.AwareDateTime()
    revoked_at = fields.AwareDateTime(allow_none=True)
    revoked_by = fields.Str(allow_none=True)
    active = fields.Bool(metadata={"description": "Whether it lets them in right now"})


class NewAccessGrantSchema(Schema):
    practice_id = fields.Str(required=True, validate=validate.Length(min=1, max=36))
    user_id = fields.Str(required=True, validate=validate.Length(min=1, max=36))
    purpose = fields.Str(required=True, validate=validate.Length(min=1, max=500),
                         metadata={"description": "Why, e.g. the support ticket; the practice "
                                                  "sees it"})
    scope = fields.Str(load_default="support", validate=validate.OneOf(GRANT_SCOPE_NAMES),
                       metadata={"description": "support (the support set, user type "
                                                "changes) or revenue_cycle (reads patients, "
                                                "notes, billing codes and charges)"})
    starts_at = fields.AwareDateTime(load_default=None, allow_none=True,
                                     metadata={"description": "Default: now"})
    ends_at = fields.AwareDateTime(required=True, metadata={
        "description": "After the start, and at most 30 days after it"})


class AccountProfileSchema(ProfileSchema):
    """Staff, recipients and vendor staff: the fields that apply to the account's kind."""

    is_support_admin = fields.Bool(metadata={"description": "Vendor staff only"})
    access_grant = fields.Nested(AccessGrantSchema, allow_none=True,
                                 metadata={"description": "Vendor staff inside a practice: "
                                                          "the grant they act under"})
