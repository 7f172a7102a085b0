"""Request and response bodies of the alert routes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from audit.api.schemas import SEVERITIES, STATUSES
from servicekit.web.pagination import page_arguments


class AlertFilter(Schema):
    status = fields.Str(load_default=None, validate=validate.OneOf(STATUSES))
    severity = fields.Str(load_default=None, validate=validate.OneOf(SEVERITIES))
    org_id = fields.Str(load_default=None)


AlertQuery = page_arguments(max_limit=1000, default_limit=100, base=AlertFilter)


class AlertStatusChange(Schema):
    status = fields.Str()
    changed_at = fields.DateTime()
    changed_by = fields.Str(metadata={"description": "a user id, or `system`"})
    note = fields.Str()


class Alert(Schema):
    id = fields.Str()
    org_id = fields.Str(allow_none=True)
    profile_id = fields.Str(allow_none=True)
    reason = fields.Str()
    severity = fields.Str()
    message = fields.Str()
    note = fields.Str()
    event_id = fields.Str()
    status = fields.Str()
    raised_at = fields.DateTime()
    status_note = fields.Str(allow_none=True)
    status_by = fields.Str(allow_none=True)
    status_changed_at = fields.DateTime(allow_none=True)
    access_report = fields.Str(allow_none=True, metadata={
        "description": "the access report of the alert's profile"})
    history = fields.List(fields.Nested(AlertStatusChange), metadata={
        "description": "every status change, oldest first (in the alert list)"})


class AlertList(Schema):
    alerts = fields.List(fields.Nested(Alert))
    next_cursor = fields.Str(allow_none=True, metadata={
        "description": "the cursor of the next page (also in the Link header); null on the "
                       "last page"})


class AlertNote(Schema):
    note = fields.Str(required=True, validate=validate.Length(min=1, max=2000))
