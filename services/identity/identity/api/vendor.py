"""Vendor access grants: support admins grant and revoke; practice admins list and revoke theirs."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from identity.api.callers import caller
from identity.api.schemas import AccessGrantSchema, NewAccessGrantSchema
from identity.bootstrap import identity
from identity.service_layer import practice_grants, vendor
from identity.service_layer.vendor import GrantView, VendorCaller, VendorProfile
from servicekit.auth import authenticated, current_principal
from servicekit.web.idempotency import idempotent
from servicekit.web.pagination import paged

blp = Blueprint("vendor", __name__, description="Vendor support access to practices")
VENDOR = ("vendor",)


def grant_body(view: GrantView) -> dict[str, Any]:
    grant = view.grant
    return {
        "id": grant.id, "practice_id": grant.practice_id, "user_id": grant.user_id,
        "email": view.email, "full_name": view.full_name, "purpose": grant.purpose,
        "scope": grant.scope.value, "permissions": sorted(grant.rules.permissions),
        "starts_at": grant.starts_at, "ends_at": grant.ends_at, "granted_by": grant.granted_by,
        "granted_at": grant.granted_at, "revoked_at": grant.revoked_at,
        "revoked_by": grant.revoked_by, "active": view.active,
    }


def vendor_profile_body(profile: VendorProfile) -> dict[str, Any]:
    user, grant = profile.user, profile.grant
    permissions = sorted(grant.rules.permissions) if grant else []
    return {
        "id": user.id, "email": user.email, "full_name": user.full_name,
        "kind": user.kind.value, "status": "active", "user_type": None,
        "org_id": grant.practice_id if grant else None, "clinics": [],
        "permissions": permissions, "is_support_admin": profile.member.is_support_admin,
        "access_grant": grant_body(GrantView(grant, user.email, user.full_name, True))
        if grant else None,
    }


def vendor_caller() -> VendorCaller:
    principal = current_principal()
    return VendorCaller(principal.user_id, principal.org_id)


@blp.route("/vendor/grants", methods=["POST"])
@authenticated(kinds=VENDOR)
@idempotent
@blp.arguments(NewAccessGrantSchema)
@blp.response(201, AccessGrantSchema)
def grant_access(body: dict) -> dict[str, Any]:
    """Let a vendor employee into a practice for a purpose and a time (support admins)."""
    ident = identity()
    view = vendor.grant_access(ident.uow(), vendor_caller(), now=ident.now(), **body)
    return grant_body(view)


@blp.route("/vendor/grants/<grant_id>/revoke", methods=["POST"])
@authenticated(kinds=VENDOR)
@blp.response(200, AccessGrantSchema)
def revoke_access(grant_id: str) -> dict[str, Any]:
    """End a grant now, and the sessions opened under it (support admins)."""
    ident = identity()
    return grant_body(vendor.revoke_access(ident.uow(), vendor_caller(), grant_id, ident.now()))


@blp.route("/vendor/grants", methods=["GET"])
@authenticated(kinds=VENDOR)
@blp.response(200, AccessGrantSchema(many=True))
@paged(blp, max_limit=500)
def list_vendor_grants() -> list[dict[str, Any]]:
    """Every grant for support admins; their own for other vendor staff. Newest first."""
    ident = identity()
    views = vendor.list_vendor_grants(ident.uow(), vendor_caller(), ident.now())
    return [grant_body(v) for v in views]


@blp.route("/access-grants", methods=["GET"])
@authenticated(kinds=("staff",))
@blp.response(200, AccessGrantSchema(many=True))
@paged(blp, max_limit=500)
def list_practice_grants() -> list[dict[str, Any]]:
    """Who of the vendor may enter this practice, why and until when (Admins)."""
    ident = identity()
    views = practice_grants.list_practice_grants(ident.uow(), caller(), ident.catalog,
                                                 ident.now())
    return [grant_body(v) for v in views]


@blp.route("/access-grants/<grant_id>/revoke", methods=["POST"])
@authenticated(kinds=("staff",))
@blp.response(200, AccessGrantSchema)
def revoke_practice_grant(grant_id: str) -> dict[str, Any]:
    """End a vendor's access to this practice now, and every session opened under it
    (User Managers). The vendor's tokens stop in every service within a second."""
    ident = identity()
    view = practice_grants.revoke_practice_grant(ident.uow(), caller(), grant_id,
                                                 ident.catalog, ident.now())
    return grant_body(view)
