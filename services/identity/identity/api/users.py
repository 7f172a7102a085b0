"""The practice's users, their permissions and type, and the user type catalog."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from identity.api.bodies import user_body, user_type_body
from identity.api.callers import caller
from identity.api.etags import user_etag
from identity.api.schemas import (
    ActingClinicSchema,
    NewUserSchema,
    PermissionChangedSchema,
    PermissionChangeSchema,
    UserAddedSchema,
    UserSchema,
    UserTypeChangeSchema,
    UserTypeSchema,
)
from identity.api.user_schemas import UserEditSchema
from identity.bootstrap import identity
from identity.domain.added_staff import AddedStaff
from identity.domain.roles import ClinicalRole, PracticeRole
from identity.domain.user_edits import ProfileEdit
from identity.service_layer import user_lifecycle, users
from servicekit.auth import authenticated
from servicekit.web.conditional import etagged, if_match
from servicekit.web.idempotency import idempotent
from servicekit.web.openapi import documents_errors
from servicekit.web.pagination import paged

blp = Blueprint("users", __name__, description="Users of the practice and the user types")
STAFF = ("staff",)
# Vendor support reads the practice's people while a grant covers it (checked per request);
# it changes nothing but a user type.
READERS = ("staff", "vendor")


@blp.route("/users", methods=["GET"])
@authenticated(kinds=READERS)
@blp.response(200, UserSchema(many=True))
@paged(blp, max_limit=500)
def list_users() -> list[dict[str, Any]]:
    """Everyone in the caller's practice; permissions only for User Managers (and vendor
    support under an active access grant)."""
    ident = identity()
    return [user_body(v) for v in users.list_users(ident.uow(), caller(), ident.catalog,
                                                    ident.now())]


@blp.route("/users", methods=["POST"])
@documents_errors(409)
@authenticated(kinds=STAFF)
@idempotent
@blp.arguments(NewUserSchema)
@blp.response(201, UserAddedSchema)
def add_user(body: dict) -> dict[str, Any]:
    """Add a staff member (User Managers; within the licensed seats). The person gets the
    get-started mail with the link that sets their password; nobody else sees it."""
    ident = identity()
    role, clinical = body.pop("practice_role"), body.pop("clinical_role")
    staff = AddedStaff(role=PracticeRole(role) if role else None,
                       clinical_role=ClinicalRole(clinical) if clinical else None,
                       practitioner_id=body.pop("practitioner_id"),
                       confirm_new_practitioner=body.pop("confirm_new_practitioner"))
    added = users.add_user(ident.uow(), caller(), catalog=ident.catalog, mailer=ident.mailer,
                           now=ident.now(), added=staff, **body)
    return {**user_body(added.view), "mail_status": added.mail_status}


@blp.route("/users/<user_id>", methods=["GET"])
@authenticated(kinds=READERS)
@etagged(user_etag)
@blp.response(200, UserSchema)
def get_user(user_id: str) -> dict[str, Any]:
    """One user of the caller's practice (staff; vendor support under an active grant)."""
    ident = identity()
    return user_body(users.get_user(ident.uow(), caller(), user_id, ident.catalog,
                                    ident.now()))


@blp.route("/users/<user_id>", methods=["PATCH"])
@authenticated(kinds=STAFF)
@if_match(user_etag)
@blp.arguments(UserEditSchema)
@blp.response(200, UserSchema)
def edit_user(body: dict, user_id: str) -> dict[str, Any]:
    """Change a user's name, clinics, default clinic, supervising therapist, role, clinical
    role or permission level (User Managers). The user type changes only through support."""
    ident = identity()
    acting_clinic_id = body.pop("acting_clinic_id")
    view = user_lifecycle.edit_user(ident.uow(), caller(acting_clinic_id), user_id,
                                    ProfileEdit(**body), catalog=ident.catalog, now=ident.now())
    return user_body(view)


@blp.route("/users/<user_id>/reactivate", methods=["POST"])
@authenticated(kinds=STAFF)
@blp.arguments(ActingClinicSchema)
@blp.response(200, UserSchema)
def reactivate_user(body: dict, user_id: str) -> dict[str, Any]:
    """Reactivate a deactivated user when a licensed seat is free (User Managers)."""
    ident = identity()
    view = user_lifecycle.reactivate_user(ident.uow(), caller(body["acting_clinic_id"]), user_id,
                                          catalog=ident.catalog, now=ident.now())
    return user_body(view)


@blp.route("/users/<user_id>/permissions", methods=["PATCH"])
@authenticated(kinds=STAFF)
@if_match(user_etag)
@blp.arguments(PermissionChangeSchema)
@blp.response(200, PermissionChangedSchema)
def change_permissions(body: dict, user_id: str) -> dict[str, Any]:
    """Grant and revoke profile permissions (User Managers)."""
    ident = identity()
    view, change = users.change_permissions(
        ident.uow(), caller(body["acting_clinic_id"]), user_id, grant=body["grant"],
        revoke=body["revoke"], acknowledged=bool(body["acknowledge"]),
        catalog=ident.catalog, now=ident.now(),
    )
    notices = [{"code": n.code, "message": n.message} for n in change.notices]
    return {**user_body(view), "notices": notices}


@blp.route("/users/<user_id>/user-type", methods=["PUT"])
@authenticated(kinds=("staff", "vendor"))
@if_match(user_etag)
@blp.arguments(UserTypeChangeSchema)
@blp.response(200, UserSchema)
def change_user_type(body: dict, user_id: str) -> dict[str, Any]:
    """Change a user's type: vendor support under an access grant only."""
    ident = identity()
    view = users.change_user_type(ident.uow(), caller(body["acting_clinic_id"]), user_id,
                                  user_type=body["user_type"], catalog=ident.catalog,
                                  now=ident.now())
    return user_body(view)


@blp.route("/users/<user_id>/deactivate", methods=["POST"])
@authenticated(kinds=STAFF)
@blp.arguments(ActingClinicSchema)
@blp.response(200, UserSchema)
def deactivate_user(body: dict, user_id: str) -> dict[str, Any]:
    """Deactivate a user and end their sessions (User Managers)."""
    ident = identity()
    view = users.deactivate_user(ident.uow(), caller(body["acting_clinic_id"]), user_id,
                                 catalog=ident.catalog, now=ident.now())
    return user_body(view)


@blp.route("/user-types", methods=["GET"])
@blp.response(200, UserTypeSchema(many=True))
@paged(blp, max_limit=500, key="code")
def user_types() -> list[dict[str, Any]]:
    """The user type catalog; public, it holds no practice's data."""
    return [user_type_body(t) for t in identity().catalog]
