"""Request and response bodies of the notes API."""

from datetime import UTC, date, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from notes.domain.note_parts import NoteKind
from notes.domain.patient_records import ImplausibleBirthDate, check_date_of_birth
from notes.domain.residence import NotAState, state_of_residence
from servicekit.web.schemas import ChangeSchema

_NAME = validate.Length(min=1, max=100)


class StateCode(fields.Str):
    """A US state's two-letter code, upper-cased; null when not known."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        try:
            code = state_of_residence(super()._deserialize(value, attr, data, **kwargs))
        except NotAState as err:
            raise ValidationError(str(err)) from None
        assert code is not None  # a string in, a code out (null never reaches a field)
        return code


def _plausible_birth_date(born: date) -> None:
    try:
        check_date_of_birth(born, datetime.now(UTC).date())
    except ImplausibleBirthDate as err:
        raise ValidationError(str(err)) from None


class PatientSchema(Schema):
    id = fields.Str()
    clinic_id = fields.Str()
    first_name = fields.Str()
    last_name = fields.Str()
    date_of_birth = fields.Date()
    phone = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True)
    address = fields.Str(allow_none=True)
    state_of_residence = fields.Str(allow_none=True, metadata={
        "description": "two-letter US state code (breach notices are counted per state)"})
    external_id = fields.Str(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class CorrectedPatientSchema(PatientSchema):
    warning = fields.Str(metadata={
        "description": "Dental practices: the privacy warning that comes with every edit"})


class CaseSchema(Schema):
    id = fields.Str()
    patient_id = fields.Str(required=True)
    insurance_id = fields.Str(required=True)
    title = fields.Str(allow_none=True, validate=validate.Length(max=200))
    created_at = fields.AwareDateTime(dump_only=True)

    class Meta:
        dump_only = ("id",)


class CaseChangeSchema(ChangeSchema):
    title = fields.Str(allow_none=True, validate=validate.Length(max=200))
    insurance_id = fields.Str(validate=validate.Length(min=1, max=36), metadata={
        "description": "Only while no note of the case is finalized (else 409 "
                       "case_insurance_locked: open a new case)"})


class PatientWithCasesSchema(PatientSchema):
    cases = fields.List(fields.Nested(CaseSchema))


class NewPatientSchema(Schema):
    clinic_id = fields.Str(required=True)
    first_name = fields.Str(required=True, validate=_NAME)
    last_name = fields.Str(required=True, validate=_NAME)
    date_of_birth = fields.Date(required=True, validate=_plausible_birth_date)
    phone = fields.Str(allow_none=True, validate=validate.Length(max=40))
    email = fields.Email(allow_none=True)
    address = fields.Str(allow_none=True, validate=validate.Length(max=500))
    state_of_residence = StateCode(allow_none=True, metadata={
        "description": "two-letter US state code (CA, NY, DC, PR...); null: not known"})
    external_id = fields.Str(allow_none=True, validate=validate.Length(max=100))


NEXT_CURSOR = fields.Str(allow_none=True, metadata={
    "description": "The next page's cursor (as in the Link header); null on the last page"})


class PageQuerySchema(Schema):
    # The cap keeps the row offset inside a 64-bit integer on every database.
    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    page_size = fields.Int(load_default=25, validate=validate.Range(min=1, max=100))


class ListQuerySchema(PageQuerySchema):
    """A list's query: page and page_size as before, or limit and the cursor of the Link
    header's next address (servicekit.web.pagination); a cursor keeps its page size."""

    limit = fields.Int(load_default=None, validate=validate.Range(min=1, max=100),
                       metadata={"description": "Rows per page (page_size by another name)"})
    cursor = fields.Str(load_default=None, metadata={
        "description": "The cursor of the previous page's Link rel=\"next\" address (or "
                       "its next_cursor); a cursor from another list or filters is refused "
                       "(400)"})


class PatientPageQuerySchema(ListQuerySchema):
    """A page of the practice's patients."""


class PatientSearchSchema(PageQuerySchema):
    name = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200))
    date_of_birth = fields.Date(load_default=None, allow_none=True)


class PatientPageSchema(Schema):
    items = fields.List(fields.Nested(PatientSchema))
    page = fields.Int()
    page_size = fields.Int()
    total = fields.Int()
    next_cursor = NEXT_CURSOR


class InsuranceSchema(Schema):
    id = fields.Str(dump_only=True)
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    allow_assistants_to_finalize = fields.Bool(load_default=False)
    created_at = fields.AwareDateTime(dump_only=True)


class InsuranceChangeSchema(ChangeSchema):
    name = fields.Str(validate=validate.Length(min=1, max=200))
    allow_assistants_to_finalize = fields.Bool()


class BillingLineSchema(Schema):
    code = fields.Str(required=True, validate=validate.Length(min=1, max=10))
    units = fields.Int(load_default=1, strict=True)
    modifiers = fields.List(fields.Str(validate=validate.Length(max=4)), load_default=list)
    manual = fields.Bool(dump_only=True)


class _SoapFields(Schema):
    subjective = fields.Str(validate=validate.Length(max=50_000))
    objective = fields.Str(validate=validate.Length(max=50_000))
    assessment = fields.Str(validate=validate.Length(max=50_000))
    plan = fields.Str(validate=validate.Length(max=50_000))


class StartNoteSchema(_SoapFields):
    case_id = fields.Str(required=True)
    kind = fields.Str(required=True, validate=validate.OneOf([k.value for k in NoteKind]))
    date_of_service = fields.Date(required=True)


class ReviseNoteSchema(_SoapFields):
    version = fields.Int(required=True, strict=True)
    billing_sheet = fields.List(fields.Nested(BillingLineSchema), validate=validate.Length(max=50))


class VersionSchema(Schema):
    version = fields.Int(required=True, strict=True)


class ForwardSchema(VersionSchema):
    to_user_id = fields.Str(required=True)


class AddendumSchema(Schema):
    text = fields.Str(required=True, validate=validate.Length(min=1, max=20_000))


class AddendumOutSchema(Schema):
    text = fields.Str()
    author_id = fields.Str()
    author_initials = fields.Str()
    added_at = fields.AwareDateTime()


class BillingExportSchema(Schema):
    status = fields.Str()
    provider_id = fields.Str(allow_none=True)
    reason = fields.Str(allow_none=True)


class NoteSchema(_SoapFields):
    id = fields.Str()
    patient_id = fields.Str()
    case_id = fields.Str()
    kind = fields.Str()
    status = fields.Str()
    version = fields.Int()
    date_of_service = fields.Date()
    author_id = fields.Str()
    supervising_therapist_id = fields.Str(allow_none=True)
    forwarded_to_id = fields.Str(allow_none=True)
    forwarded_at = fields.AwareDateTime(allow_none=True)
    finalized_by_id = fields.Str(allow_none=True)
    cosigner_id = fields.Str(allow_none=True)
    chart_initials = fields.Str(allow_none=True)
    finalized_at = fields.AwareDateTime(allow_none=True)
    billing_sheet = fields.List(fields.Nested(BillingLineSchema))
    billing_export = fields.Nested(BillingExportSchema, allow_none=True)
    addenda = fields.List(fields.Nested(AddendumOutSchema))
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    discarded_at = fields.AwareDateTime(allow_none=True)
    discarded_by_id = fields.Str(allow_none=True)


class NotePageSchema(Schema):
    items = fields.List(fields.Nested(NoteSchema))
    page = fields.Int()
    page_size = fields.Int()
    total = fields.Int()
    next_cursor = NEXT_CURSOR


class TransactionSchema(Schema):
    id = fields.Str()
    note_id = fields.Str()
    patient_id = fields.Str()
    case_id = fields.Str()
    code = fields.Str()
    units = fields.Int()
    modifiers = fields.List(fields.Str())
    manual = fields.Bool()
    date_of_service = fields.Date()
    provider_id = fields.Str()
    created_at = fields.AwareDateTime()
    deleted_at = fields.AwareDateTime(allow_none=True)
    deleted_by_id = fields.Str(allow_none=True)


class PatientChangeSchema(ChangeSchema, NewPatientSchema):
    """The same fields as registering, each optional (loaded with partial=True)."""


class BillingCodeOfferSchema(Schema):
    user_type = fields.Str(allow_none=True, metadata={"description": "The note author's type"})
    discipline = fields.Str(allow_none=True)
    codes = fields.List(fields.Str(), metadata={"description": "CPT codes offered, sorted"})
    manual_codes = fields.Str(metadata={
        "description": "How to enter a code the discipline does not list (marked manual)"})
