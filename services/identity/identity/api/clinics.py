"""The practice's clinics (locations) and their settings."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from identity.api.bodies import clinic_body
from identity.api.callers import caller
from identity.api.etags import clinic_etag
from identity.api.schemas import ClinicSchema, ClinicSettingsSchema, NewClinicSchema
from identity.bootstrap import identity
from identity.service_layer import clinics
from servicekit.auth import authenticated
from servicekit.web.conditional import if_match
from servicekit.web.idempotency import idempotent
from servicekit.web.openapi import documents_errors
from servicekit.web.pagination import paged

blp = Blueprint("clinics", __name__, description="Clinics of the practice")


@blp.route("/clinics", methods=["GET"])
@authenticated(kinds=("staff", "vendor"))
@blp.response(200, ClinicSchema(many=True))
@paged(blp, max_limit=500)
def list_clinics() -> list[dict[str, Any]]:
    """The practice's clinics: staff, and vendor support under an active access grant."""
    ident = identity()
    return [clinic_body(c) for c in clinics.list_clinics(ident.uow(), caller(), ident.now())]


@blp.route("/clinics", methods=["POST"])
@documents_errors(409)
@authenticated(kinds=("staff",))
@idempotent
@blp.arguments(NewClinicSchema)
@blp.response(201, ClinicSchema)
def add_clinic(body: dict) -> dict[str, Any]:
    """Open another clinic (location) of the practice (User Managers)."""
    ident = identity()
    clinic = clinics.add_clinic(ident.uow(), caller(), body, catalog=ident.catalog,
                                now=ident.now())
    return clinic_body(clinic)


@blp.route("/clinics/<clinic_id>/settings", methods=["PATCH"])
@authenticated(kinds=("staff",))
@if_match(clinic_etag)
@blp.arguments(ClinicSettingsSchema)
@blp.response(200, ClinicSchema)
def change_settings(body: dict, clinic_id: str) -> dict[str, Any]:
    """Turn clinic settings on or off (User Managers)."""
    ident = identity()
    clinic = clinics.change_clinic_settings(ident.uow(), caller(), clinic_id, body,
                                            catalog=ident.catalog, now=ident.now())
    return clinic_body(clinic)
