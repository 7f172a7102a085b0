"""Bodies of the Admin-only settings areas: every length and count has a limit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, fields, validate

from identity.domain.practice_settings import INTEGRATION_KINDS, DigestFrequency
from identity.domain.treatment_plan_settings import (
    LONGEST_SMS,
    MOST_ITEM_CODES,
    MOST_PRICE_BUTTONS,
    MOST_TEMPLATES,
    PLACEHOLDERS,
)

_PLACEHOLDER_WORDS = ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))


def _text(longest: int, **kwargs: Any) -> fields.Str:
    return fields.Str(validate=validate.Length(min=1, max=longest), **kwargs)


def _optional(field: fields.Field) -> fields.Field:
    field.allow_none = True
    field.load_default = None
    return field


class Money(fields.Decimal):
    """An amount in the practice's currency, two decimals, kept as a string ("120.00")."""

    def __init__(self, **kwargs: Any) -> None:
        # apispec writes a Decimal's bounds as "0.00" strings; the document needs numbers
        # (schemathesis could not generate bodies from them), so they are given here.
        metadata = {"minimum": 0, "maximum": 1_000_000, **kwargs.pop("metadata", {})}
        super().__init__(places=2, as_string=True, metadata=metadata, validate=validate.Range(
            min=0, max=1_000_000), **kwargs)

    def deserialize(self, *args: Any, **kwargs: Any) -> Any:
        amount = super().deserialize(*args, **kwargs)  # validated as a Decimal, kept as text
        return str(amount) if isinstance(amount, Decimal) else amount


class AddressSchema(Schema):
    line1 = _text(200, required=True)
    line2 = _optional(_text(200))
    city = _text(100, required=True)
    region = _optional(_text(100))
    postcode = _optional(_text(20))
    country = fields.Str(required=True, validate=validate.Regexp(
        r"^[A-Z]{2}$", error="Give the two-letter country code, like AU or US."))


class PracticeInfoSchema(Schema):
    name = _text(200, required=True)
    phone = _optional(fields.Str(validate=[validate.Length(max=40), validate.Regexp(
        r"^\+?[0-9 ()\-]{3,}$", error="Give a phone number of digits, spaces, ( ) - and +.")]))
    email = _optional(fields.Email(validate=validate.Length(max=254)))
    website = _optional(fields.Url(schemes={"http", "https"},
                                   validate=validate.Length(max=300)))
    address = _optional(fields.Nested(AddressSchema))


class IntegrationSchema(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(INTEGRATION_KINDS))
    provider = _text(100, required=True,
                     metadata={"description": "The system's name, like Dentrix or Stripe"})
    enabled = fields.Bool(required=True)
    external_account_id = _optional(_text(100, metadata={
        "description": "The practice's id in that system; no API keys or passwords here"}))


class IntegrationsSchema(Schema):
    integrations = fields.List(fields.Nested(IntegrationSchema), required=True,
                               validate=validate.Length(max=len(INTEGRATION_KINDS)),
                               metadata={"description": "One entry per kind, the whole list"})


class ItemCodeSchema(Schema):
    code = fields.Str(required=True, validate=[validate.Length(min=1, max=20), validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9.\-]*$", error="Use letters, digits, dots and dashes.")])
    description = _text(200, required=True)
    price = Money(required=True)


class PriceButtonSchema(Schema):
    label = _text(40, required=True)
    amount = Money(required=True)


class SmsTemplateSchema(Schema):
    name = _text(60, required=True)
    body = _text(LONGEST_SMS, required=True, metadata={
        "description": f"At most {LONGEST_SMS} characters; placeholders: {_PLACEHOLDER_WORDS}"})


class ReminderTemplateSchema(SmsTemplateSchema):
    send_after_days = fields.Int(required=True, validate=validate.Range(min=1, max=365))


def _list(schema: type[Schema], most: int) -> fields.List:
    return fields.List(fields.Nested(schema), required=True,
                       validate=validate.Length(max=most))


class TreatmentPlanSettingsSchema(Schema):
    item_codes = _list(ItemCodeSchema, MOST_ITEM_CODES)
    price_buttons = _list(PriceButtonSchema, MOST_PRICE_BUTTONS)
    sms_templates = _list(SmsTemplateSchema, MOST_TEMPLATES)
    reminder_templates = _list(ReminderTemplateSchema, MOST_TEMPLATES)


class WebchatSchema(Schema):
    enabled = fields.Bool(required=True)
    greeting = _text(300)
    offline_message = _text(300)
    accent_colour = fields.Str(validate=validate.Regexp(
        r"^#[0-9a-fA-F]{6}$", error="Give a colour like #1f6feb."))
    allowed_origins = fields.List(
        fields.Url(schemes={"https"}, validate=validate.Length(max=300)),
        validate=validate.Length(max=10),
        metadata={"description": "The https sites the chat may be embedded in (at most 10)"})


class SecuritySettingsSchema(Schema):
    require_second_factor = fields.Bool(required=True, metadata={
        "description": "true: every staff member signs in with a second factor (User "
                       "Managers always do); those not yet enrolled enrol at their next "
                       "sign-in, and sessions without one end at their next refresh"})


class DigestSettingsSchema(Schema):
    frequency = fields.Str(required=True, validate=validate.OneOf(
        [f.value for f in DigestFrequency]), metadata={
            "description": "weekly (the default) or daily"})
