"""Inviting staff: who may invite, what the invitation says, and what it asks of the admin.

The link carries a random token; only its hash is stored, and it lasts 7 days. Its life
after sending (resend, revoke, accept) is in invitation_lifecycle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from identity.domain import profile_rules as rules
from identity.domain.catalog import AUTOMATION, DENTAL, THERAPY, UserTypeCatalog
from identity.domain.clock import require_aware
from identity.domain.errors import InvalidRequest
from identity.domain.practitioners import (
    Candidate,
    PendingPractitioner,
    Practitioner,
    PractitionerLink,
    choose_practitioner,
)
from identity.domain.roles import (
    ClinicalRole,
    PermissionLevel,
    PracticeRole,
    RoleProfile,
    default_permission_level,
    role_profile,
)
from identity.domain.seats import SeatUsage, require_free_seat
from identity.domain.tokens import IssuedToken, issue_token
from identity.domain.users import Actor, normalize_email

INVITATION_LIFETIME = timedelta(days=7)


class InvitationStatus(StrEnum):
    PENDING = "pending"
    EXPIRED = "expired"
    ACCEPTED = "accepted"
    REVOKED = "revoked"


@dataclass(frozen=True)
class InvitationRequest:
    full_name: str
    email: str
    role: PracticeRole
    permission_level: PermissionLevel | None = None  # None: the role's default
    clinical_role: ClinicalRole | None = None  # practitioners only, and required for them
    user_type: str | None = None  # None: the role's type, see default_user_type
    practitioner_id: str | None = None  # link an existing record instead of a new one
    confirm_new_practitioner: bool = False  # "a different person with the same name"


@dataclass(frozen=True)
class Invitation:
    id: str
    practice_id: str
    email: str
    full_name: str
    role: PracticeRole
    permission_level: PermissionLevel
    clinical_role: ClinicalRole | None
    user_type: str
    practitioner: PractitionerLink | None
    invited_by: str
    token_hash: str
    sent_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None

    def status(self, now: datetime) -> InvitationStatus:
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        return InvitationStatus.PENDING if now < self.expires_at else InvitationStatus.EXPIRED

    def role_profile(self) -> RoleProfile:
        return role_profile(self.role, self.permission_level)


@dataclass(frozen=True)
class InvitationOutcome:
    """Either an invitation and its raw token, or practitioner records to decide between."""

    invitation: Invitation | None
    token: IssuedToken | None
    possible_duplicates: tuple[Candidate, ...] = ()

    @property
    def needs_decision(self) -> bool:
        return self.invitation is None


def invite_staff(
    actor: Actor,
    request: InvitationRequest,
    *,
    invitation_id: str,
    catalog: UserTypeCatalog,
    seats: SeatUsage,
    practitioners: Iterable[Practitioner],
    now: datetime,
    practice_model: str = THERAPY,
    pending_practitioners: Iterable[PendingPractitioner] = (),
) -> InvitationOutcome:
    """An Admin invites a person; nothing is created while a duplicate needs a decision.

    The practice's model decides the vocabulary: a dental practice's invitee gets the dental
    type of their role and clinical role, never a therapy type."""
    require_aware(now)
    practice_id = actor.user.practice_id
    rules.require_may_act(actor, practice_id, now)
    rules.require_user_manager(actor, catalog)
    email, full_name = normalize_email(request.email), " ".join(request.full_name.split())
    if not full_name:
        raise InvalidRequest("Enter the person's name.", {"field": "full_name"})
    require_clinical_role_fits(request)
    user_type = invited_type(request.user_type, request.role, request.clinical_role, catalog,
                             practice_model)
    link = None
    if request.role is PracticeRole.PRACTITIONER:
        choice = choose_practitioner(
            full_name,
            practitioners,
            pending=pending_practitioners,
            existing_id=request.practitioner_id,
            confirm_new=request.confirm_new_practitioner,
        )
        if choice.needs_decision:
            return InvitationOutcome(None, None, choice.possible_duplicates)
        link = choice.link
    elif request.practitioner_id is not None:
        raise InvalidRequest(
            "Only practitioners are linked to a practitioner record.", {"field": "practitioner_id"}
        )
    require_free_seat(seats, for_invitation=True)
    token = issue_token()
    invitation = Invitation(
        id=invitation_id,
        practice_id=practice_id,
        email=email,
        full_name=full_name,
        role=request.role,
        permission_level=request.permission_level or default_permission_level(request.role),
        clinical_role=request.clinical_role,
        user_type=user_type,
        practitioner=link,
        invited_by=actor.user.id,
        token_hash=token.hash,
        sent_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    return InvitationOutcome(invitation, token)


# The catalog's type for each role, by code or name (case-insensitive), first match wins.
# A role whose names the catalog lacks gets the catalog's default type (PT).
_TYPE_NAMES_BY_ROLE: dict[PracticeRole, tuple[str, ...]] = {
    PracticeRole.FRONT_DESK: ("Front Office", "Front Desk", "Receptionist"),
    PracticeRole.OWNER_MANAGER: ("Office Manager", "Practice Manager", "Administrator",
                                 "Admin"),
    PracticeRole.PRACTITIONER: (),
}
_TYPE_NAMES_BY_CLINICAL_ROLE: dict[ClinicalRole, tuple[str, ...]] = {
    ClinicalRole.DENTIST: ("Dentist", "DDS", "DMD"),
    ClinicalRole.HYGIENIST: ("Dental Hygienist", "Hygienist", "RDH"),
    ClinicalRole.ORAL_HEALTH_THERAPIST: ("Oral Health Therapist", "OHT"),
    ClinicalRole.OTHER: (),
}


def invited_type(user_type: str | None, role: PracticeRole | None,
                 clinical_role: ClinicalRole | None, catalog: UserTypeCatalog,
                 practice_model: str) -> str:
    """The type asked for, if it is one of the practice's model; else the role's type (no
    role: the catalog's default)."""
    if user_type is None:
        if role is None:
            return catalog.default_code
        return default_user_type(role, clinical_role, catalog, practice_model)
    chosen = catalog.get(user_type)
    if chosen.practice_model != practice_model:
        allowed = [t.code for t in catalog.of_model(practice_model)
                   if t.category != AUTOMATION]
        raise InvalidRequest(
            f"{chosen.name} is not a user type of a {practice_model} practice. Leave "
            f"user_type out to get the type of the role, or pick one of: {', '.join(allowed)}.",
            {"field": "user_type", "practice_model": practice_model, "allowed": allowed})
    return chosen.code


def default_user_type(role: PracticeRole, clinical_role: ClinicalRole | None,
                      catalog: UserTypeCatalog, practice_model: str = THERAPY) -> str:
    """The user type an invitation without one gets. In a dental practice: the dental type
    of the role and clinical role (Dentist, Hygienist, ..., Front Desk, Practice Manager).
    In a therapy practice: the front desk the clerical front office type, an owner or
    manager an office manager type if the catalog has one, a practitioner the type of their
    clinical role if one maps; otherwise the default (PT)."""
    if practice_model == DENTAL:
        dental = catalog.type_for_role(DENTAL, role.value, clinical_role.value
                                       if clinical_role else None)
        if dental is None:
            raise InvalidRequest(
                f"The catalog has no dental user type for {role.replace('_', ' ')}.",
                {"field": "practice_role"})
        return dental.code
    names = list(_TYPE_NAMES_BY_ROLE[role])
    if role is PracticeRole.PRACTITIONER and clinical_role is not None:
        names += _TYPE_NAMES_BY_CLINICAL_ROLE[clinical_role]
    by_name: dict[str, str] = {}
    for user_type in catalog.of_model(THERAPY):
        if user_type.category != AUTOMATION:
            by_name.setdefault(user_type.code.casefold(), user_type.code)
            by_name.setdefault(user_type.name.casefold(), user_type.code)
    for name in names:
        if name.casefold() in by_name:
            return by_name[name.casefold()]
    return catalog.default_code


def require_clinical_role_fits(request: InvitationRequest) -> None:
    if request.role is PracticeRole.PRACTITIONER and request.clinical_role is None:
        raise InvalidRequest(
            "Choose the practitioner's clinical role: Dentist, Hygienist, "
            "Oral Health Therapist or Other.",
            {"field": "clinical_role"},
        )
    if request.role is not PracticeRole.PRACTITIONER and request.clinical_role is not None:
        raise InvalidRequest(
            "Only practitioners have a clinical role; leave it empty for "
            f"{request.role.replace('_', ' ')}.",
            {"field": "clinical_role"},
        )
