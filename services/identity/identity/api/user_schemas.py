"""Bodies of a user's later changes: the profile edit (PATCH /users/{id})."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from identity.api.schemas import NO_NUL

_ID = [validate.Length(min=1, max=36), NO_NUL]


class UserEditSchema(Schema):
    """Only the fields sent change; null clears a supervisor, a clinical role or the default
    clinic (a Billing user always keeps one)."""

    full_name = fields.Str(validate=[validate.Length(min=1, max=200), NO_NUL])
    clinic_ids = fields.List(fields.Str(validate=_ID), validate=validate.Length(max=500),
                             metadata={"description": "Every clinic the user works at (the "
                                                      "whole new set), the default one included"})
    default_clinic_id = fields.Str(allow_none=True, validate=_ID)
    supervising_therapist_id = fields.Str(
        allow_none=True, validate=_ID,
        metadata={"description": "Assistants and students: an active therapist of the practice"})
    practice_role = fields.Str(validate=validate.OneOf(["owner_manager", "practitioner",
                                                        "front_desk"]))
    clinical_role = fields.Str(
        allow_none=True,
        validate=validate.OneOf(["dentist", "hygienist", "oral_health_therapist", "other"]),
        metadata={"description": "Practitioners only, and required for them"})
    permission_level = fields.Str(validate=validate.OneOf(["admin", "user"]), metadata={
        "description": "admin grants manage_users (User Manager), user revokes it"})
    acting_clinic_id = fields.Str(
        load_default=None, allow_none=True, validate=NO_NUL,
        metadata={"description": "The clinic the change is made from; a Billing user is "
                                 "edited only from their default clinic"})

    @validates_schema
    def _changes_something(self, data: dict[str, Any], **_: Any) -> None:
        if not set(data) - {"acting_clinic_id"}:
            names = ", ".join(sorted(set(self.fields) - {"acting_clinic_id"}))
            raise ValidationError(f"Send at least one field to change: {names}.")
