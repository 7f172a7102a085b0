"""Staff invitations: Admins invite, list, resend and revoke; the invitee accepts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_smorest import Blueprint

from identity.api.callers import caller
from identity.api.schemas import (
    InvitationAcceptSchema,
    InvitationRequestSchema,
    InvitationSchema,
    JoinedSchema,
)
from identity.bootstrap import identity
from identity.domain.invitations import InvitationRequest
from identity.domain.roles import ClinicalRole, PermissionLevel, PracticeRole
from identity.domain.staff_roles import StaffProfile
from identity.service_layer import invitation_acceptance, invitations
from identity.service_layer.invitations import InvitationView
from servicekit.auth import authenticated
from servicekit.web.idempotency import idempotent
from servicekit.web.openapi import documents_errors
from servicekit.web.pagination import paged

blp = Blueprint("invitations", __name__, description="Staff invitations")
STAFF = ("staff",)


def invitation_body(view: InvitationView) -> dict[str, Any]:
    invitation = view.invitation
    link = invitation.practitioner
    return {
        "id": invitation.id, "email": invitation.email, "full_name": invitation.full_name,
        "practice_role": invitation.role.value,
        "permission_level": invitation.permission_level.value,
        "clinical_role": invitation.clinical_role.value if invitation.clinical_role else None,
        "user_type": invitation.user_type,
        "practitioner_id": link.existing_id if link else None,
        "new_practitioner_name": link.new_name if link else None,
        "default_clinic_id": view.default_clinic_id, "invited_by": invitation.invited_by,
        "status": view.status.value, "mail_status": view.mail_status,
        "sent_at": invitation.sent_at, "expires_at": invitation.expires_at,
        "accepted_at": invitation.accepted_at, "revoked_at": invitation.revoked_at,
        "user_id": view.user_id, "supervising_therapist_id": view.supervising_therapist_id,
    }


@blp.route("/invitations", methods=["POST"])
@documents_errors(409)
@authenticated(kinds=STAFF)
@idempotent
@blp.arguments(InvitationRequestSchema)
@blp.response(201, InvitationSchema)
def invite(body: dict) -> dict[str, Any]:
    """Invite a person by email (Admins); mail_status says whether the mail went out."""
    ident = identity()
    request = InvitationRequest(
        full_name=body["full_name"], email=body["email"],
        role=PracticeRole(body["practice_role"]),
        permission_level=PermissionLevel(body["permission_level"])
        if body["permission_level"] else None,
        clinical_role=ClinicalRole(body["clinical_role"]) if body["clinical_role"] else None,
        user_type=body["user_type"], practitioner_id=body["practitioner_id"],
        confirm_new_practitioner=body["confirm_new_practitioner"],
    )
    view = invitations.invite_staff(
        ident.uow(), caller(), request, default_clinic_id=body["default_clinic_id"],
        catalog=ident.catalog, mailer=ident.mailer, now=ident.now(),
        supervising_therapist_id=body["supervising_therapist_id"],
    )
    return invitation_body(view)


@blp.route("/invitations", methods=["GET"])
@authenticated(kinds=STAFF)
@blp.response(200, InvitationSchema(many=True))
@paged(blp, max_limit=500)
def list_invitations() -> list[dict[str, Any]]:
    """The practice's invitations, newest first, with their status (Admins)."""
    ident = identity()
    views = invitations.list_invitations(ident.uow(), caller(), catalog=ident.catalog,
                                         now=ident.now())
    return [invitation_body(v) for v in views]


@blp.route("/invitations/<uuid:invitation_id>/resend", methods=["POST"])
@authenticated(kinds=STAFF)
@blp.response(200, InvitationSchema)
def resend(invitation_id: UUID) -> dict[str, Any]:
    """Mail a new link for 7 more days; the earlier link stops working (Admins)."""
    ident = identity()
    view = invitations.resend_invitation(ident.uow(), caller(), str(invitation_id),
                                         catalog=ident.catalog, mailer=ident.mailer,
                                         now=ident.now())
    return invitation_body(view)


@blp.route("/invitations/<uuid:invitation_id>/revoke", methods=["POST"])
@authenticated(kinds=STAFF)
@blp.response(200, InvitationSchema)
def revoke(invitation_id: UUID) -> dict[str, Any]:
    """Withdraw an open invitation; its link stops working (Admins)."""
    ident = identity()
    view = invitations.revoke_invitation(ident.uow(), caller(), str(invitation_id),
                                         catalog=ident.catalog, now=ident.now())
    return invitation_body(view)


@blp.route("/invitations/accept", methods=["POST"])
@documents_errors(410)
@idempotent
@blp.arguments(InvitationAcceptSchema)
@blp.response(201, JoinedSchema)
def accept(body: dict) -> dict[str, Any]:
    """Accept an invitation with the link's token and a password; then sign in."""
    ident = identity()
    joined = invitation_acceptance.accept_invitation(
        ident.uow(), token=body["token"], password=body["password"], hashing=ident.hashing,
        catalog=ident.catalog, now=ident.now(),
        supervising_therapist_id=body["supervising_therapist_id"],
        practitioner_id=body["practitioner_id"],
        confirm_new_practitioner=body["confirm_new_practitioner"],
    )
    return {"user_id": joined.user_id, "org_id": joined.org_id, "email": joined.email}


def role_profile_body(profile: StaffProfile) -> dict[str, Any]:
    defaults = profile.defaults
    return {
        "practice_role": profile.role.role.value,
        "permission_level": profile.permission_level.value,
        "clinical_role": profile.role.clinical_role.value if profile.role.clinical_role
        else None,
        "practitioner_id": profile.role.practitioner_id,
        "landing_page": defaults.landing_page,
        "insights": {name: scope.value for name, scope in defaults.insights.items()},
        "notifications": sorted(defaults.notifications), "digests": sorted(defaults.digests),
        "digests_available": sorted(defaults.digests_available),
        "admin_areas": sorted(defaults.admin_areas),
    }
