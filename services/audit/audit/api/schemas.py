"""Request and response bodies of the audit API."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

SEVERITIES = ("low", "medium", "high", "critical")
STATUSES = ("open", "acknowledged", "resolved")


class _Window(Schema):
    start = fields.AwareDateTime(data_key="from", load_default=None)
    end = fields.AwareDateTime(data_key="to", load_default=None)

    @validates_schema
    def _ordered(self, data: dict, **_: object) -> None:
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise ValidationError("must be later than from", "to")


class EventQuery(_Window):
    type = fields.Str(load_default=None)
    actor = fields.Str(load_default=None)
    patient = fields.Str(load_default=None)
    org_id = fields.Str(load_default=None)
    cursor = fields.Int(load_default=None, validate=validate.Range(min=0))
    limit = fields.Int(load_default=100, validate=validate.Range(min=1, max=1000))


class StoredEvent(Schema):
    seq = fields.Int()
    partition = fields.Int()
    chain_seq = fields.Int()
    hash = fields.Str()
    received_at = fields.DateTime()
    event = fields.Dict()


class EventPage(Schema):
    events = fields.List(fields.Nested(StoredEvent))
    next_cursor = fields.Int(allow_none=True)


class AlertQuery(Schema):
    status = fields.Str(load_default=None, validate=validate.OneOf(STATUSES))
    severity = fields.Str(load_default=None, validate=validate.OneOf(SEVERITIES))
    org_id = fields.Str(load_default=None)
    limit = fields.Int(load_default=100, validate=validate.Range(min=1, max=1000))


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


class AlertList(Schema):
    alerts = fields.List(fields.Nested(Alert))


class AlertNote(Schema):
    note = fields.Str(required=True, validate=validate.Length(min=1, max=2000))


class UserReportQuery(_Window):
    user_id = fields.Str(required=True)
    format = fields.Str(load_default="json", validate=validate.OneOf(("json", "csv")))
    org_id = fields.Str(load_default=None)


class PatientReportQuery(_Window):
    patient_id = fields.Str(required=True)
    format = fields.Str(load_default="json", validate=validate.OneOf(("json", "csv")))
    org_id = fields.Str(load_default=None)


class ReportRow(Schema):
    key = fields.Str()
    records = fields.Int()
    by_action = fields.Dict(keys=fields.Str(), values=fields.Int())
    first_access = fields.DateTime()
    last_access = fields.DateTime()


class AccessReport(Schema):
    subject = fields.Str()
    subject_id = fields.Str()
    window_start = fields.DateTime()
    window_end = fields.DateTime()
    rows = fields.List(fields.Nested(ReportRow))
    total_records = fields.Int()
    row_count = fields.Method("_row_count")  # patients, or users
    by_action = fields.Dict(keys=fields.Str(), values=fields.Int())
    first_access = fields.DateTime(allow_none=True)
    last_access = fields.DateTime(allow_none=True)

    def _row_count(self, report: object) -> int:
        return len(report.rows)  # type: ignore[attr-defined]


class BreachRequest(_Window):
    discovered_on = fields.Date(required=True)
    patient_ids = fields.List(fields.Str(), load_default=None)
    user_id = fields.Str(load_default=None)
    org_id = fields.Str(load_default=None)

    @validates_schema
    def _one_source(self, data: dict, **_: object) -> None:
        if (data.get("patient_ids") is None) == (data.get("user_id") is None):
            raise ValidationError(
                "give either patient_ids or the user_id whose accesses were the breach",
                "patient_ids")


class Notice(Schema):
    to = fields.Str()
    due = fields.Date()
    instruction = fields.Str()
    state = fields.Str(allow_none=True)


class BreachAssessment(Schema):
    discovered_on = fields.Date()
    affected_count = fields.Int()
    per_state = fields.Dict(keys=fields.Str(), values=fields.Int())
    unknown_state_count = fields.Int()
    reaches_500 = fields.Bool()
    notices = fields.List(fields.Nested(Notice))
    notes = fields.List(fields.Str())


class VerifyQuery(Schema):
    org_id = fields.Str(load_default=None)


class ChainReport(Schema):
    intact = fields.Bool()
    reason = fields.Str()
    partition = fields.Int(allow_none=True)
    chain_seq = fields.Int(allow_none=True)
    event_id = fields.Str(allow_none=True)
    record_seq = fields.Int(allow_none=True)
    records_checked = fields.Int()
