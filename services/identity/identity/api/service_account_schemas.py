"""Bodies of the service account routes and of POST /oauth/token."""

from marshmallow import EXCLUDE, Schema, fields, validate

from identity.domain.service_accounts import AUTOMATION_SCOPE, NAME_LIMIT, SCOPES

PRACTICE_SCOPES = sorted(s.name for s in SCOPES.values() if not s.vendor_wide)
VENDOR_SCOPES = sorted([*(s.name for s in SCOPES.values() if s.vendor_wide), AUTOMATION_SCOPE])


class NewServiceAccountSchema(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=NAME_LIMIT),
                      metadata={"description": "What the machine is, e.g. 'SIEM feed'"})
    scope = fields.Str(required=True, validate=validate.Length(min=1, max=40),
                       metadata={"description": f"One of: {', '.join(PRACTICE_SCOPES)}"})


class NewVendorServiceAccountSchema(Schema):
    scope = fields.Str(required=True, validate=validate.Length(min=1, max=40),
                       metadata={"description": f"One of: {', '.join(VENDOR_SCOPES)}"})
    name = fields.Str(load_default=None, validate=validate.Length(min=1, max=NAME_LIMIT),
                      metadata={"description": "Required for security; automation is named "
                                               "'Automation'"})
    practice_id = fields.Str(load_default=None, validate=validate.Length(min=1, max=36),
                             metadata={"description": "automation: the practice whose "
                                                      "automation profile signs in"})


class ServiceAccountSchema(Schema):
    id = fields.Str()
    org_id = fields.Str(allow_none=True, metadata={"description": "null: vendor-wide"})
    name = fields.Str()
    scope = fields.Str()
    kind = fields.Str(metadata={"description": "service, or automation (the vendor's "
                                               "automation profile)"})
    client_id = fields.Str()
    token_subject = fields.Str(metadata={"description": "The `sub` of its access tokens"})
    version = fields.Int(metadata={"description": "The `pv` its access tokens carry"})
    created_at = fields.DateTime()
    created_by = fields.Str()
    rotated_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    revoked_by = fields.Str(allow_none=True)
    active = fields.Bool()


class IssuedCredentialsSchema(ServiceAccountSchema):
    client_secret = fields.Str(metadata={"description": "Shown this once; only its hash is "
                                                        "kept. Store it in a secret manager"})


class ClientTokenRequestSchema(Schema):
    """RFC 6749 4.4.2, form-encoded. Client credentials here or in HTTP Basic, not both."""

    class Meta:
        unknown = EXCLUDE  # RFC 6749 3.2: unrecognized request parameters are ignored

    grant_type = fields.Str(load_default=None, metadata={"description": "client_credentials"})
    client_id = fields.Str(load_default=None, validate=validate.Length(max=200))
    client_secret = fields.Str(load_default=None, validate=validate.Length(max=200))
    scope = fields.Str(load_default=None, validate=validate.Length(max=200),
                       metadata={"description": "Optional: the account's own scope"})


class ClientTokenSchema(Schema):
    access_token = fields.Str()
    token_type = fields.Str(dump_default="Bearer")
    expires_in = fields.Int(metadata={"description": "Seconds the access token is valid"})
    scope = fields.Str()
