"""The practice's practitioner records, to pick from when inviting or adding a practitioner."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from identity.api.bodies import practitioner_body
from identity.api.callers import caller
from identity.api.etags import practitioner_etag
from identity.api.schemas import NO_NUL
from identity.bootstrap import identity
from identity.domain.roles import ClinicalRole
from identity.service_layer import practitioner_records as records
from identity.service_layer.practitioners import list_practitioners
from servicekit.auth import authenticated
from servicekit.web.conditional import if_match
from servicekit.web.idempotency import idempotent
from servicekit.web.openapi import documents_errors
from servicekit.web.pagination import keyset_cursor, next_keyset_page, page_arguments

blp = Blueprint("practitioners", __name__, description="Practitioner records of the practice")


class PractitionerFilterSchema(Schema):
    linked = fields.Bool(load_default=None, allow_none=True, metadata={
        "description": "true: records linked to a user only; false: free records only"})


PractitionerQuerySchema = page_arguments(max_limit=500, default_limit=100,
                                         base=PractitionerFilterSchema)


class LinkedUserSchema(Schema):
    id = fields.Str()
    full_name = fields.Str()
    status = fields.Str()


class PractitionerSchema(Schema):
    id = fields.Str()
    name = fields.Str()
    linked = fields.Bool(metadata={"description": "A user is this practitioner"})
    user = fields.Nested(LinkedUserSchema, allow_none=True)
    clinical_role = fields.Str(allow_none=True)
    clinic_ids = fields.List(fields.Str(), metadata={"description": "The linked user's clinics"})
    invitation_id = fields.Str(allow_none=True, metadata={
        "description": "An open invitation that will link this record"})
    created_at = fields.AwareDateTime()


class PractitionerPageSchema(Schema):
    practitioners = fields.List(fields.Nested(PractitionerSchema))
    next_cursor = fields.Str(allow_none=True, metadata={
        "description": "Pass as cursor for the next page; null on the last page"})


@blp.route("/practitioners", methods=["GET"])
@authenticated(kinds=("staff",))
@blp.arguments(PractitionerQuerySchema, location="query")
@blp.response(200, PractitionerPageSchema)
def practitioners(query: dict) -> dict[str, Any]:
    """The practice's practitioner records by name, a page at a time (Admins: those who
    invite and add staff). Each says whether a user is linked to it, or an open invitation
    will be."""
    ident = identity()
    page = list_practitioners(ident.uow(), caller(), catalog=ident.catalog, now=ident.now(),
                              cursor=keyset_cursor(query["cursor"]), limit=query["limit"],
                              linked=query["linked"])
    return {"practitioners": [practitioner_body(e) for e in page.entries],
            "next_cursor": next_keyset_page(page.next_cursor)}


class PractitionerChangeSchema(Schema):
    name = fields.Str(validate=[validate.Length(min=1, max=200), NO_NUL])
    clinical_role = fields.Str(
        load_default=None, allow_none=True,
        validate=validate.OneOf([role.value for role in ClinicalRole]),
        metadata={"description": "A free record's own; a linked record shows its user's"})
    confirm_new_practitioner = fields.Bool(load_default=False, metadata={
        "description": "Keep the name although it matches a record or an open invitation's "
                       "new practitioner (a different person)"})


class PractitionerNewSchema(PractitionerChangeSchema):
    name = fields.Str(required=True, validate=[validate.Length(min=1, max=200), NO_NUL])


@blp.route("/practitioners", methods=["POST"])
@documents_errors(409)
@authenticated(kinds=("staff",))
@idempotent
@blp.arguments(PractitionerNewSchema)
@blp.response(201, PractitionerSchema)
def create(body: dict) -> dict[str, Any]:
    """Add a practitioner record nobody is linked to yet, to pick when inviting (Admins)."""
    ident = identity()
    return practitioner_body(records.create_practitioner(
        ident.uow(), caller(), _change(body), catalog=ident.catalog, now=ident.now()))


@blp.route("/practitioners/<uuid:practitioner_id>", methods=["PATCH"])
@documents_errors(409)
@authenticated(kinds=("staff",))
@if_match(practitioner_etag)
@blp.arguments(PractitionerChangeSchema)
@blp.response(200, PractitionerSchema)
def update(body: dict, practitioner_id: UUID) -> dict[str, Any]:
    """Rename a record (its name may differ from its user's) or set a free record's clinical
    role (Admins)."""
    ident = identity()
    return practitioner_body(records.update_practitioner(
        ident.uow(), caller(), str(practitioner_id), _change(body), catalog=ident.catalog,
        now=ident.now()))


@blp.route("/practitioners/<uuid:practitioner_id>", methods=["DELETE"])
@documents_errors(409)
@authenticated(kinds=("staff",))
@blp.response(204)
def remove(practitioner_id: UUID) -> None:
    """Remove a free record that no open invitation names (Admins)."""
    ident = identity()
    records.remove_practitioner(ident.uow(), caller(), str(practitioner_id),
                                catalog=ident.catalog, now=ident.now())


def _change(body: dict) -> records.RecordChange:
    role = body.get("clinical_role")
    return records.RecordChange(name=body.get("name"),
                                clinical_role=ClinicalRole(role) if role else None,
                                confirm_new_practitioner=body["confirm_new_practitioner"])
