"""The docportal API's bodies, validated and documented by the same marshmallow schemas."""

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from docportal.domain.documents import DocumentKind
from docportal.domain.shares import DisclosurePurpose, ShareStatus
from servicekit.web.pagination import page_arguments

_ID = validate.Length(min=1, max=64)


class UploadFormSchema(Schema):
    patient_id = fields.Str(required=True, validate=_ID)
    kind = fields.Str(load_default=str(DocumentKind.OTHER),
                      validate=validate.OneOf([k.value for k in DocumentKind]))


class UploadFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "A PDF, PNG or JPEG file"})


class UploadSchema(UploadFormSchema):
    """The whole multipart body, for the OpenAPI document (webargs reads it in two parts)."""

    file = Upload(required=True, metadata={"description": "A PDF, PNG or JPEG file"})


class DocumentFilterSchema(Schema):
    patient_id = fields.Str(required=True, validate=_ID)


DocumentQuerySchema = page_arguments(max_limit=500, base=DocumentFilterSchema)


class DocumentSchema(Schema):
    id = fields.Str()
    patient_id = fields.Str()
    kind = fields.Str()
    filename = fields.Str()
    content_type = fields.Str()
    size_bytes = fields.Int()
    uploaded_by = fields.Str()
    uploaded_at = fields.AwareDateTime()
    withdrawn_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "Set once the document was withdrawn from the chart; null otherwise"})
    withdrawn_by = fields.Str(allow_none=True)
    withdrawal_reason = fields.Str(allow_none=True)


class WithdrawalSchema(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=300), metadata={
        "description": "Why it is withdrawn, e.g. \"filed under the wrong patient\"; kept on "
                       "the document, never in events"})


class ShareRequestSchema(Schema):
    document_ids = fields.List(fields.Str(validate=_ID), required=True,
                               validate=validate.Length(min=1, max=50))
    recipient_email = fields.Str(required=True, validate=validate.Length(min=3, max=254))
    purpose = fields.Str(required=True,
                         validate=validate.OneOf([p.value for p in DisclosurePurpose]))
    purpose_description = fields.Str(load_default=None, allow_none=True)
    message = fields.Str(load_default=None, allow_none=True)


class ReshareRequestSchema(Schema):
    message = fields.Str(load_default=None, allow_none=True,
                         metadata={"description": "Leave out to keep the old share's message"})


class ShareSchema(Schema):
    id = fields.Str()
    patient_id = fields.Str()
    document_ids = fields.List(fields.Str())
    recipient_email = fields.Str()
    purpose = fields.Str()
    purpose_description = fields.Str(allow_none=True)
    message = fields.Str(allow_none=True)
    sent_at = fields.AwareDateTime()
    claim_deadline = fields.AwareDateTime(allow_none=True)
    status = fields.Str(validate=validate.OneOf([s.value for s in ShareStatus]))
    supersedes_id = fields.Str(allow_none=True)
    mail_status = fields.Str(metadata={"description": "sent, or pending while mail is down"})


class ActivitySchema(Schema):
    kind = fields.Str()
    document_id = fields.Str(allow_none=True)
    account_id = fields.Str()
    client = fields.Str()
    at = fields.AwareDateTime()


class RefusalSchema(Schema):
    at = fields.AwareDateTime()
    client = fields.Str()
    reason = fields.Str(metadata={"description": "The refusal's code, e.g. wrong_recipient"})
    account_id = fields.Str(allow_none=True, metadata={
        "description": "The account that was signed in, or null when nobody was"})


class TrackingSchema(ShareSchema):
    mail_attempts = fields.Int(metadata={
        "description": "Sends tried so far, the first in the sharing request included"})
    mail_next_attempt_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "When the email is tried again while mail_status is pending"})
    claimed_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)
    superseded_by_id = fields.Str(allow_none=True)
    views = fields.Int()
    downloads = fields.Int()
    activity = fields.List(fields.Nested(ActivitySchema))
    refused_attempts = fields.Int()
    refusals = fields.List(fields.Nested(RefusalSchema), metadata={
        "description": "Opens turned away (another account, a dead link), oldest first"})


class ShareFilterSchema(Schema):
    sender = fields.Str(load_default=None, validate=_ID, metadata={
        "description": "Leave out (or `me`) for the shares you sent; a User Manager "
                       "(manage_users) may name a staff member's user id, or `all`"})
    patient_id = fields.Str(load_default=None, validate=_ID)
    status = fields.Str(load_default=None,
                        validate=validate.OneOf([s.value for s in ShareStatus]))


ShareListQuerySchema = page_arguments(max_limit=100, default_limit=25, base=ShareFilterSchema)


class SentShareSchema(Schema):
    id = fields.Str()
    patient_id = fields.Str()
    document_ids = fields.List(fields.Str())
    recipient_email = fields.Str()
    purpose = fields.Str()
    shared_by = fields.Str()
    sent_at = fields.AwareDateTime()
    status = fields.Str(validate=validate.OneOf([s.value for s in ShareStatus]))
    claim_deadline = fields.AwareDateTime(allow_none=True, metadata={
        "description": "When an unopened share stops working; null once claimed"})
    claimed_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)
    supersedes_id = fields.Str(allow_none=True)
    superseded_by_id = fields.Str(allow_none=True)
    mail_status = fields.Str()
    views = fields.Int()
    downloads = fields.Int()
    last_opened_at = fields.AwareDateTime(allow_none=True)


class ShareListSchema(Schema):
    shares = fields.List(fields.Nested(SentShareSchema))
    next_cursor = fields.Str(allow_none=True, metadata={
        "description": "Pass as cursor for the next page; null on the last page"})


class NoteDocumentSchema(Schema):
    patient_id = fields.Str(required=True, validate=_ID)
    note_id = fields.Str(required=True, validate=_ID,
                         metadata={"description": "A finalized note of this patient"})
