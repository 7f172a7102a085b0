"""Request and response bodies of the audit API."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from audit.domain import reports
from audit.domain.breach_risk import Factor, Rating
from servicekit.web.pagination import page_arguments
from servicekit.web.schemas import MAX_STORED_INT

SEVERITIES = ("low", "medium", "high", "critical")
STATUSES = ("open", "acknowledged", "resolved")


class _Window(Schema):
    start = fields.AwareDateTime(data_key="from", load_default=None)
    end = fields.AwareDateTime(data_key="to", load_default=None)

    @validates_schema
    def _ordered(self, data: dict, **_: object) -> None:
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            raise ValidationError("must be later than from", "to")
        # Without `to` a window ends now, so a `from` in the future would end before it began.
        if start and not end and start >= datetime.now(UTC):
            raise ValidationError("must be in the past, or give a later to as well", "from")


class EventFilters(_Window):
    type = fields.Str(load_default=None)
    actor = fields.Str(load_default=None)
    patient = fields.Str(load_default=None)
    org_id = fields.Str(load_default=None)
    format = fields.Str(load_default=None, validate=validate.OneOf(("json", "fhir")), metadata={
        "description": "fhir: a FHIR R4 Bundle of AuditEvents (as Accept: application/fhir+json"
                       " asks); json (default): the platform's own page"})


# The cursor may also be a bare arrival position (the old next_cursor, a stream id).
EventQuery = page_arguments(max_limit=1000, default_limit=100, base=EventFilters)


class StoredEvent(Schema):
    seq = fields.Int()
    partition = fields.Int()
    chain_seq = fields.Int()
    hash = fields.Str()
    received_at = fields.DateTime()
    event = fields.Dict()


class EventPage(Schema):
    events = fields.List(fields.Nested(StoredEvent))
    next_cursor = fields.Str(allow_none=True, metadata={
        "description": "the cursor of the next page (also in the Link header); null on the "
                       "last page"})


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

    def _row_count(self, report: reports.AccessReport) -> int:
        return len(report.rows)


class DisclosureQuery(_Window):
    patient_id = fields.Str(required=True)
    format = fields.Str(load_default="json", validate=validate.OneOf(("json", "csv")))
    org_id = fields.Str(load_default=None)


class DisclosedDocument(Schema):
    id = fields.Str()
    kind = fields.Str(allow_none=True)


class Disclosure(Schema):
    share_id = fields.Str()
    disclosed_at = fields.DateTime()
    recipient_email = fields.Str()
    description = fields.Str(metadata={"description": "the documents' kinds, counted"})
    documents = fields.List(fields.Nested(DisclosedDocument))
    purpose = fields.Str()
    purpose_description = fields.Str(allow_none=True)
    shared_by = fields.Str(allow_none=True)
    reshare_of = fields.Str(allow_none=True)
    claimed = fields.Function(lambda d: d.claimed_at is not None)
    claimed_at = fields.DateTime(allow_none=True)
    viewed = fields.Function(lambda d: d.views > 0)
    views = fields.Int()
    first_viewed_at = fields.DateTime(allow_none=True)
    downloaded = fields.Function(lambda d: d.downloads > 0)
    downloads = fields.Int()
    first_downloaded_at = fields.DateTime(allow_none=True)
    revoked = fields.Function(lambda d: d.revoked_at is not None)
    revoked_at = fields.DateTime(allow_none=True)


class DisclosureAccounting(Schema):
    patient_id = fields.Str()
    window_start = fields.DateTime()
    window_end = fields.DateTime()
    count = fields.Function(lambda a: len(a.disclosures))
    recipients = fields.List(fields.Str())
    disclosures = fields.List(fields.Nested(Disclosure))


class FactorInput(Schema):
    factor = fields.Str(required=True, validate=validate.OneOf([f.value for f in Factor]))
    rating = fields.Str(required=True, validate=validate.OneOf([r.value for r in Rating]))
    rationale = fields.Str(required=True, validate=validate.Length(min=1, max=2000))


class BreachRequest(_Window):
    discovered_on = fields.Date(required=True)
    suspect_profiles = fields.List(fields.Str(validate=validate.Length(min=1, max=64)),
                                   load_default=list, validate=validate.Length(max=100))
    user_id = fields.Str(load_default=None, metadata={
        "description": "One suspect profile; the same as suspect_profiles: [user_id]"})
    patient_ids = fields.List(fields.Str(validate=validate.Length(min=1, max=64)),
                              load_default=list, validate=validate.Length(max=100_000))
    factors = fields.List(fields.Nested(FactorInput), load_default=list, metadata={
        "description": "The four-factor risk assessment (45 CFR 164.402); without all four "
                       "rated low the incident is presumed a breach"})
    summary = fields.Str(load_default=None, validate=validate.Length(max=2000))
    org_id = fields.Str(load_default=None)

    @validates_schema
    def _one_source(self, data: dict, **_: object) -> None:
        if not (data.get("patient_ids") or data.get("suspect_profiles") or data.get("user_id")):
            raise ValidationError(
                "give the suspect_profiles whose accesses were the breach, or the patient_ids",
                "suspect_profiles")
        named = [f["factor"] for f in data.get("factors") or ()]
        if len(named) != len(set(named)):
            raise ValidationError("rate each factor once", "factors")


class Notice(Schema):
    to = fields.Str()
    due = fields.Str(metadata={"format": "date"})
    instruction = fields.Str()
    state = fields.Str(allow_none=True)


class Assessor(Schema):
    id = fields.Str()
    email = fields.Str(allow_none=True)
    kind = fields.Str()


class FactorResult(Schema):
    factor = fields.Str()
    rating = fields.Str()
    rationale = fields.Str()


class RiskResult(Schema):
    factors = fields.List(fields.Nested(FactorResult))
    probability_of_compromise = fields.Str()
    notification_required = fields.Bool()
    records_touched = fields.Int()


# Assessments are stored as JSON documents; dates and times go out as stored (ISO 8601).
DATE, TIME = {"format": "date"}, {"format": "date-time"}


class BreachInputs(Schema):
    discovered_on = fields.Str(metadata=DATE)
    start = fields.Str(attribute="from", data_key="from", metadata=TIME)
    end = fields.Str(attribute="to", data_key="to", metadata=TIME)
    suspect_profiles = fields.List(fields.Str())
    patient_ids = fields.List(fields.Str())
    factors = fields.List(fields.Nested(FactorResult))
    summary = fields.Str(allow_none=True)


class AffectedPerson(Schema):
    patient_id = fields.Str()
    state = fields.Str(allow_none=True)


class BreachAssessmentSummary(Schema):
    id = fields.Str()
    org_id = fields.Str(allow_none=True)
    created_at = fields.Str(metadata=TIME)
    created_by = fields.Nested(Assessor)
    discovered_on = fields.Str(metadata=DATE)
    inputs = fields.Nested(BreachInputs)
    affected_count = fields.Int()
    per_state = fields.Dict(keys=fields.Str(), values=fields.Int(), metadata={
        "description": "affected individuals per state of residence (notes' residence_recorded)"})
    unknown_state_count = fields.Int()
    media_notice_required_states = fields.List(fields.Str(), metadata={
        "description": "states with more than 500 affected residents: their media must be "
                       "notified within 60 days of discovery (45 CFR 164.406); empty when no "
                       "notice is owed"})
    reaches_500 = fields.Bool()
    risk = fields.Nested(RiskResult)
    notices = fields.List(fields.Nested(Notice))
    notes = fields.List(fields.Str())
    content_hash = fields.Str()
    intact = fields.Bool(metadata={"description": "the stored row still matches its hash"})


class BreachAssessment(BreachAssessmentSummary):
    affected = fields.List(fields.Nested(AffectedPerson))


class BreachAssessmentList(Schema):
    assessments = fields.List(fields.Nested(BreachAssessmentSummary))
    next_cursor = fields.Str(allow_none=True, metadata={
        "description": "the cursor of the next page (also in the Link header); null on the "
                       "last page"})


class BreachListFilter(Schema):
    org_id = fields.Str(load_default=None)


BreachListQuery = page_arguments(max_limit=1000, default_limit=100, base=BreachListFilter)


class BreachExportQuery(Schema):
    format = fields.Str(load_default="json", validate=validate.OneOf(("json", "csv")))


class StreamQuery(Schema):
    after = fields.Int(
        load_default=None, validate=validate.Range(min=0, max=MAX_STORED_INT), metadata={
            "description": "resume after this record position (Last-Event-ID wins when sent); "
                           "0 for everything; without it the stream starts at the newest records"})
    type = fields.Str(load_default=None, validate=validate.Length(max=1000), metadata={
        "description": "comma-separated event type prefixes, e.g. identity.,audit.alert."})
    severity = fields.Str(load_default=None, metadata={
        "description": "comma-separated alert severities; only alerts are sent then"})
    org_id = fields.Str(load_default=None)
    max_seconds = fields.Float(load_default=None, validate=validate.Range(min=0.1), metadata={
        "description": "close the connection sooner than the service's limit"})
    format = fields.Str(load_default=None, validate=validate.OneOf(("json", "fhir")), metadata={
        "description": "fhir: each record as a FHIR R4 AuditEvent (as Accept: "
                       "application/fhir+ndjson asks, or application/fhir+json with SSE)"})

    @validates_schema
    def _known_severities(self, data: dict, **_: object) -> None:
        wanted = {s.strip() for s in (data.get("severity") or "").split(",") if s.strip()}
        if wanted - set(SEVERITIES):
            raise ValidationError(f"severities are {', '.join(SEVERITIES)}", "severity")
