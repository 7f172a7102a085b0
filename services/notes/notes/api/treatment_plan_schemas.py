"""Request and response bodies of the treatment plan routes."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from notes.api.schemas import NEXT_CURSOR, ListQuerySchema
from notes.domain.treatment_plans import MOST_ITEMS, MOST_PRICE_CENTS, MOST_QUANTITY, PlanStatus
from servicekit.web.schemas import ChangeSchema

_CURRENCY = validate.Regexp(r"^[A-Z]{3}$", error="An ISO 4217 code in capitals, e.g. USD.")


class PlanItemSchema(Schema):
    # Free codes: the practice's item codes and price buttons live in identity's settings,
    # which notes does not see (their event carries counts only).
    code = fields.Str(required=True, validate=validate.Length(min=1, max=20))
    description = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    price_cents = fields.Int(required=True,
                             validate=validate.Range(min=0, max=MOST_PRICE_CENTS))
    quantity = fields.Int(load_default=1, validate=validate.Range(min=1, max=MOST_QUANTITY))


class PlanItemOutSchema(PlanItemSchema):
    total_cents = fields.Int()


class NewTreatmentPlanSchema(Schema):
    patient_id = fields.Str(required=True, validate=validate.Length(max=36))
    clinic_id = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=36),
                           metadata={"description": "default: the patient's clinic"})
    practitioner_user_id = fields.Str(
        load_default=None, allow_none=True, validate=validate.Length(max=36),
        metadata={"description": "an active practitioner of the practice; default: you"})
    currency = fields.Str(load_default="USD", validate=_CURRENCY)
    items = fields.List(fields.Nested(PlanItemSchema), load_default=list,
                        validate=validate.Length(max=MOST_ITEMS))


class TreatmentPlanChangeSchema(ChangeSchema):
    version = fields.Int(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    clinic_id = fields.Str(validate=validate.Length(max=36))
    practitioner_user_id = fields.Str(validate=validate.Length(max=36))
    currency = fields.Str(validate=_CURRENCY)
    items = fields.List(fields.Nested(PlanItemSchema), validate=validate.Length(max=MOST_ITEMS))


class TreatmentPlanSchema(Schema):
    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        # Keys only: a receipt has no "items", and dict.items is no list of plan items.
        return obj.get(attr, default) if isinstance(obj, dict) else default

    id = fields.Str()
    patient_id = fields.Str()
    clinic_id = fields.Str()
    practitioner_user_id = fields.Str()
    currency = fields.Str()
    items = fields.List(fields.Nested(PlanItemOutSchema))
    total_cents = fields.Int()
    item_count = fields.Int()
    status = fields.Str(metadata={"enum": [s.value for s in PlanStatus]})
    version = fields.Int()
    created_by_id = fields.Str()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)
    opened_at = fields.AwareDateTime(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    payment_plan_accepted_at = fields.AwareDateTime(allow_none=True)
    withdrawn_at = fields.AwareDateTime(allow_none=True)


class SentTreatmentPlanSchema(TreatmentPlanSchema):
    link_expires_at = fields.AwareDateTime(metadata={
        "description": "until when the link mailed to the patient opens the plan"})
    mail_status = fields.Str(validate=validate.OneOf(["sent", "pending"]), metadata={
        "description": "sent: the mail server took the mail; pending: it is retried until "
                       "it does (the plan is sent either way)"})


class TreatmentPlanPageQuerySchema(ListQuerySchema):
    status = fields.Str(load_default=None,
                        validate=validate.OneOf([s.value for s in PlanStatus]))


class TreatmentPlanPageSchema(Schema):
    items = fields.List(fields.Nested(TreatmentPlanSchema))
    page = fields.Int()
    page_size = fields.Int()
    total = fields.Int()
    next_cursor = NEXT_CURSOR
