"""Accepting an invitation: the link is spent, a password set, and the person becomes staff."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from identity.adapters.invitation_repository import InvitationRepository
from identity.adapters.password_hashing import PasswordHashing
from identity.adapters.repository import IdentityRepository
from identity.domain import invitation_lifecycle
from identity.domain.catalog import UserTypeCatalog
from identity.domain.errors import InvalidRequest, LinkUnusable, StateConflict
from identity.domain.getting_started import ProfileConfirmation, confirm_profile
from identity.domain.invitations import Invitation
from identity.domain.passwords import check_password
from identity.domain.practitioners import Practitioner
from identity.domain.seats import seat_usage
from identity.domain.staff_roles import StaffRole
from identity.domain.supervision import require_supervisor_fits
from identity.domain.tokens import hash_token
from identity.domain.users import User
from identity.events.practices import INVITATION_ACCEPTED
from identity.service_layer.callers import event_actor
from identity.service_layer.member_events import HowJoined, user_created
from identity.service_layer.practitioners import decision_required, link_practitioner
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject

UNKNOWN_LINK = ("This invitation link is no longer valid; a newer one may have been sent. "
                "Use the latest email, or ask an Admin to resend it.")


@dataclass(frozen=True)
class OpenInvitation:
    """What the get-started page shows before the invitee accepts."""

    invitation: Invitation
    practice_name: str
    practitioners: tuple[Practitioner, ...]  # records free for this invitee


@dataclass(frozen=True)
class Joined:
    user_id: str
    org_id: str
    email: str


def open_invitation(uow: UnitOfWork, *, token: str, now: datetime) -> OpenInvitation:
    """The invitation a link opens, checked as accepting would check it; nothing changes."""
    with uow:
        repo, invites = IdentityRepository(uow.session), InvitationRepository(uow.session)
        invitation = invites.holding(hash_token(token))
        if invitation is None:
            raise LinkUnusable(UNKNOWN_LINK)
        invitation_lifecycle.check_invitation_link(invitation, token, now)
        free = tuple(p for p in invites.practitioners_of(invitation.practice_id, now)
                     if not p.linked and p.invitation_id in (None, invitation.id))
        return OpenInvitation(invitation, repo.practice(invitation.practice_id).name, free)


def accept_invitation(
    uow: UnitOfWork, *, token: str, password: str, hashing: PasswordHashing,
    catalog: UserTypeCatalog, now: datetime, confirmation: ProfileConfirmation | None = None,
    supervising_therapist_id: str | None = None, practitioner_id: str | None = None,
    confirm_new_practitioner: bool = False,
) -> Joined:
    """Spend the link and open the account; the password policy is checked before.

    ``confirmation``: the name, clinical role and practitioner record as the invitee
    confirmed them on the get-started page (None: as the Admin wrote them, unless
    ``practitioner_id`` or ``confirm_new_practitioner`` decide the record).
    ``supervising_therapist_id``: an assistant or student names their supervisor here
    (None: the one the invitation gave, if they are still an active therapist).
    """
    with uow:
        repo, invites = IdentityRepository(uow.session), InvitationRepository(uow.session)
        invitation = invites.holding(hash_token(token))
        if invitation is None:
            raise LinkUnusable(UNKNOWN_LINK)
        # Practitioner records change one acceptance at a time (see practitioners.py).
        repo.hold_practice(invitation.practice_id)
        practice = repo.practice(invitation.practice_id)
        seats = seat_usage(practice, repo.users_of(practice.id), catalog)
        accepted = invitation_lifecycle.accept_invitation(invitation, token, seats=seats,
                                                          now=now)
        if confirmation is None and (practitioner_id or confirm_new_practitioner):
            confirmation = ProfileConfirmation(invitation.full_name, None, practitioner_id,
                                               confirm_new_practitioner)
        if confirmation is not None:
            accepted = _confirmed(invites, accepted, confirmation, catalog, now)
        if repo.email_taken(practice.id, invitation.email):
            raise StateConflict("An account with this email already exists in the practice. "
                                "Sign in instead, or reset your password.")
        check_password(password, practice_name=practice.name, email=invitation.email)
        extras = invites.extras(invitation.id)
        clinic_id = extras["default_clinic_id"]
        user = invitation_lifecycle.user_from_invitation(
            accepted, user_id=str(uuid.uuid4()), catalog=catalog, default_clinic_id=clinic_id)
        supervisor_id = _supervisor(repo, user, supervising_therapist_id,
                                    extras["supervising_therapist_id"], catalog)
        repo.add_user(user, now, clinic_ids=[clinic_id] if clinic_id else [],
                      supervising_therapist_id=supervisor_id)
        repo.set_password_hash(user.id, hashing.hash(password))
        role = StaffRole(accepted.role, accepted.clinical_role, link_practitioner(
            uow, user, accepted.practitioner, actor=user, now=now, invitation_id=accepted.id))
        invites.add_staff_role(practice.id, user.id, role)
        invites.save(accepted, user_id=user.id)
        _publish_joined(uow, accepted, user, role, catalog, supervisor_id,
                        recognized=practice.recognizes_domain(user.email))
        uow.commit()
    return Joined(user.id, user.practice_id, user.email)


def _confirmed(invites: InvitationRepository, invitation: Invitation,
               confirmation: ProfileConfirmation, catalog: UserTypeCatalog, now: datetime
               ) -> Invitation:
    # A record someone already is cannot be picked, but its name still warns of a duplicate.
    confirmed = confirm_profile(invitation, confirmation, catalog=catalog,
                                practitioners=invites.practitioners_of(invitation.practice_id,
                                                                       now))
    if confirmed.invitation is None:
        raise decision_required(
            confirmed.possible_duplicates,
            "A practitioner record with your name already exists. Choose it if it is you "
            "(practitioner_id), or confirm that you are a different person "
            "(confirm_new_practitioner: true).")
    return confirmed.invitation


def _supervisor(repo: IdentityRepository, user: User, chosen: str | None,
                invited_with: str | None, catalog: UserTypeCatalog) -> str | None:
    """The supervisor the invitee names (checked), else the invitation's while it fits."""
    if chosen is not None:
        require_supervisor_fits(user.user_type, chosen, repo.user(user.practice_id, chosen),
                                practice_id=user.practice_id, catalog=catalog)
        return chosen
    if invited_with is None:
        return None
    try:
        require_supervisor_fits(user.user_type, invited_with,
                                repo.user(user.practice_id, invited_with),
                                practice_id=user.practice_id, catalog=catalog)
    except InvalidRequest:
        return None  # deactivated since the invitation: the gate tells the assistant
    return invited_with


def _publish_joined(uow: UnitOfWork, invitation: Invitation, user: User, role: StaffRole,
                    catalog: UserTypeCatalog, supervisor_id: str | None, *,
                    recognized: bool) -> None:
    actor = event_actor(user)
    uow.publish(user_created(
        user, actor, permissions=user.permissions(catalog),
        clinics=[user.default_clinic_id] if user.default_clinic_id else [],
        supervisor_id=supervisor_id, joined=HowJoined(
            role=role, email_domain_recognized=recognized,
            permission_level=invitation.permission_level.value, invitation_id=invitation.id)))
    uow.publish(INVITATION_ACCEPTED.event(
        subject=Subject("invitation", invitation.id),
        org_id=invitation.practice_id, actor=actor,
        data={"user_id": user.id, "practitioner_id": role.practitioner_id},
    ))
