"""Request and response bodies of the identity API (marshmallow at the edge)."""

from marshmallow import Schema, fields, validate


class LoginSchema(Schema):
    email = fields.Str(required=True, validate=validate.Length(min=1, max=320))
    password = fields.Str(required=True, validate=validate.Length(min=1, max=1024))
    practice_id = fields.Str(load_default=None, allow_none=True)


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
    # Present only for User Managers (and for one's own profile).
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


class UserAddedSchema(UserSchema):
    password_setup_token = fields.Str(
        metadata={"description": "One-time token for POST /password/set; shown once"}
    )


class PermissionChangeSchema(Schema):
    grant = fields.List(fields.Str(), load_default=list)
    revoke = fields.List(fields.Str(), load_default=list)
    acknowledge = fields.Str(
        load_default=None, allow_none=True,
        metadata={"description": 'Exactly "Yes, I understand" to grant finish_notes to an '
                                 "assistant"},
    )
    acting_clinic_id = fields.Str(load_default=None, allow_none=True)


class NoticeSchema(Schema):
    code = fields.Str()
    message = fields.Str()


class PermissionChangedSchema(UserSchema):
    notices = fields.List(fields.Nested(NoticeSchema))


class UserTypeChangeSchema(Schema):
    user_type = fields.Str(required=True)


class ActingClinicSchema(Schema):
    acting_clinic_id = fields.Str(load_default=None, allow_none=True)


class ClinicSchema(Schema):
    id = fields.Str()
    name = fields.Str()
    settings = fields.Dict()


class ClinicSettingsSchema(Schema):
    assistants_may_finalize = fields.Bool()
