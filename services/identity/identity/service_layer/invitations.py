"""Use cases of staff invitations: invite, list, resend, revoke (Admins only).

The invitation's mail is queued in the mail outbox with the invitation and tried once right
after the commit: an SMTP outage loses nothing, the invitation waits with mail "pending" and
``identity mail-worker`` sends it once the server is back (which marks it "sent").
Accepting one is in invitation_acceptance.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from identity.adapters.invitation_mail_log import InvitationMails
from identity.adapters.invitation_repository import MAIL_PENDING, MAIL_SENT, InvitationRepository
from identity.adapters.mail import IdentityMailer, InvitationMail
from identity.adapters.mail_outbox import INVITATION, invitation_key
from identity.adapters.repository import IdentityRepository
from identity.domain import invitation_lifecycle, invitations, profile_rules
from identity.domain.catalog import UserTypeCatalog
from identity.domain.errors import InvalidRequest, StateConflict
from identity.domain.invitation_limits import (
    INVITEE_WINDOW,
    PRACTICE_WINDOW,
    check_invitation_mail_allowed,
)
from identity.domain.invitations import Invitation, InvitationRequest, InvitationStatus
from identity.domain.seats import seat_usage
from identity.domain.staff_roles import StaffProfile, staff_profile
from identity.domain.supervision import require_supervisor_fits
from identity.domain.tokens import IssuedToken
from identity.domain.users import Actor
from identity.events.practices import INVITATION_RESENT, INVITATION_REVOKED, INVITATION_SENT
from identity.service_layer.callers import Caller, event_actor, load_actor
from identity.service_layer.errors import NotFoundInPractice
from identity.service_layer.mail_queue import queue_mail, send_queued
from identity.service_layer.practitioners import NEW_NAMESAKE, decision_required
from servicekit.db import UnitOfWork
from servicekit.messaging.definitions import EventDefinition
from servicekit.messaging.envelope import Subject

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InvitationView:
    invitation: Invitation
    status: InvitationStatus
    mail_status: str
    default_clinic_id: str | None
    user_id: str | None
    supervising_therapist_id: str | None = None


def invite_staff(
    uow: UnitOfWork, caller: Caller, request: InvitationRequest, *,
    default_clinic_id: str | None, catalog: UserTypeCatalog, mailer: IdentityMailer,
    now: datetime, supervising_therapist_id: str | None = None,
) -> InvitationView:
    """An Admin invites a person by email; a same-named practitioner needs a decision first."""
    with uow:
        repo, invites = IdentityRepository(uow.session), InvitationRepository(uow.session)
        actor = load_actor(repo, caller)
        # Before reading the records: two invitations for one new practitioner, sent at
        # once, run one after the other, so the second sees the first.
        repo.hold_practice(caller.org_id)
        practice = repo.practice(caller.org_id)
        seats = seat_usage(practice, repo.users_of(caller.org_id), catalog,
                           invites.pending_count(caller.org_id, now))
        outcome = invitations.invite_staff(
            actor, request, invitation_id=str(uuid.uuid4()), catalog=catalog, seats=seats,
            practitioners=invites.practitioners_of(caller.org_id, now), now=now,
            practice_model=practice.model,
            pending_practitioners=invites.pending_new_practitioners(caller.org_id, now),
        )
        if outcome.needs_decision:
            raise decision_required(outcome.possible_duplicates, NEW_NAMESAKE)
        invitation, token = outcome.invitation, outcome.token
        assert invitation is not None and token is not None
        _require_new_person(repo, invites, invitation, now)
        clinic_id = _default_clinic(repo, caller.org_id, default_clinic_id)
        profile_rules.require_default_clinic_for_billing(invitation.user_type, clinic_id)
        require_supervisor_fits(
            invitation.user_type, supervising_therapist_id,
            repo.user(caller.org_id, supervising_therapist_id) if supervising_therapist_id
            else None, practice_id=caller.org_id, catalog=catalog)
        _count_invitation_mail(uow, caller, invitation, now)
        invites.add(invitation, default_clinic_id=clinic_id,
                    supervising_therapist_id=supervising_therapist_id)
        _publish(uow, INVITATION_SENT, actor, invitation, {
            "email": invitation.email, "full_name": invitation.full_name,
            "practice_role": invitation.role.value,
            "permission_level": invitation.permission_level.value,
            "clinical_role": invitation.clinical_role.value if invitation.clinical_role
            else None,
            "user_type": invitation.user_type,
            "expires_at": invitation.expires_at.isoformat(),
            "supervising_therapist_id": supervising_therapist_id,
            **_practitioner_facts(invitation),
        })
        key = _queue_mail(uow, mailer, invitation, token, practice.name, actor.user.full_name,
                          now)
        uow.commit()
    mail_status = _mail_status(uow, mailer, key, now)
    return InvitationView(invitation, invitation.status(now), mail_status, clinic_id, None,
                          supervising_therapist_id)


def list_invitations(uow: UnitOfWork, caller: Caller, *, catalog: UserTypeCatalog,
                     now: datetime) -> list[InvitationView]:
    """Every invitation of the caller's practice, newest first, with its status now."""
    with uow:
        repo, invites = IdentityRepository(uow.session), InvitationRepository(uow.session)
        _require_admin(load_actor(repo, caller), caller, catalog, now)
        return [_view(invites, invitation, now) for invitation in invites.of(caller.org_id)]


def resend_invitation(
    uow: UnitOfWork, caller: Caller, invitation_id: str, *, catalog: UserTypeCatalog,
    mailer: IdentityMailer, now: datetime,
) -> InvitationView:
    """Mail a new link valid for 7 more days; the link in the earlier mail stops working."""
    with uow:
        repo, invites = IdentityRepository(uow.session), InvitationRepository(uow.session)
        actor = load_actor(repo, caller)
        invitation = _invitation(invites, caller, invitation_id)
        renewed, token = invitation_lifecycle.resend_invitation(actor, invitation,
                                                                catalog=catalog, now=now)
        _count_invitation_mail(uow, caller, renewed, now)
        invites.save(renewed)
        _publish(uow, INVITATION_RESENT, actor, renewed,
                 {"email": renewed.email, "expires_at": renewed.expires_at.isoformat()})
        key = _queue_mail(uow, mailer, renewed, token, repo.practice(caller.org_id).name,
                          actor.user.full_name, now)
        uow.commit()
    _mail_status(uow, mailer, key, now)
    with uow:
        return _view(InvitationRepository(uow.session), renewed, now)


def revoke_invitation(
    uow: UnitOfWork, caller: Caller, invitation_id: str, *, catalog: UserTypeCatalog,
    now: datetime,
) -> InvitationView:
    with uow:
        repo, invites = IdentityRepository(uow.session), InvitationRepository(uow.session)
        actor = load_actor(repo, caller)
        invitation = _invitation(invites, caller, invitation_id)
        revoked = invitation_lifecycle.revoke_invitation(actor, invitation, catalog=catalog,
                                                         now=now)
        invites.save(revoked)
        _publish(uow, INVITATION_REVOKED, actor, revoked, {"email": revoked.email})
        view = _view(invites, revoked, now)
        uow.commit()
    return view


def _queue_mail(uow: UnitOfWork, mailer: IdentityMailer, invitation: Invitation,
                token: IssuedToken, practice_name: str, inviter_name: str,
                now: datetime) -> str | None:
    """Queue the invitation's mail with it; its key, or None when it could not be composed."""
    key = invitation_key(invitation.id, token.hash)
    queued = queue_mail(uow.session, lambda: mailer.invitation_message(InvitationMail(
        to=invitation.email, invitee_name=invitation.full_name, practice_name=practice_name,
        inviter_name=inviter_name, token=token.raw, expires_at=invitation.expires_at,
    )), key=key, kind=INVITATION, now=now, send_before=invitation.expires_at)
    return key if queued else None


def _mail_status(uow: UnitOfWork, mailer: IdentityMailer, key: str | None,
                 now: datetime) -> str:
    """Send the queued mail now; "sent", or "pending" while the mail worker retries it."""
    if key is not None and send_queued(uow, mailer, key, now):
        return MAIL_SENT
    return MAIL_PENDING


def _count_invitation_mail(uow: UnitOfWork, caller: Caller, invitation: Invitation,
                           now: datetime) -> None:
    """Refuse one more invitation email past the invitee's or the practice's limit (429);
    otherwise record it, in the same transaction as the invitation it carries."""
    mails = InvitationMails(uow.session)
    mails.hold(caller.org_id)
    check_invitation_mail_allowed(
        mailed_to_invitee=mails.to_invitee(caller.org_id, invitation.email,
                                           now - INVITEE_WINDOW),
        mailed_by_practice=mails.by_practice(caller.org_id, now - PRACTICE_WINDOW),
        now=now)
    mails.record(caller.org_id, invitation.id, invitation.email, caller.user_id, now,
                 keep_since=now - max(INVITEE_WINDOW, PRACTICE_WINDOW))


def _practitioner_facts(invitation: Invitation) -> dict:
    """Which record the invitation links, or whether it makes a new one (and was confirmed
    as a different person from its namesakes)."""
    link = invitation.practitioner
    return {"practitioner_id": link.existing_id if link else None,
            "new_practitioner": bool(link and link.new_name),
            "new_practitioner_confirmed": bool(link and link.confirmed)}


def _require_admin(actor: Actor, caller: Caller, catalog: UserTypeCatalog, now: datetime
                   ) -> None:
    profile_rules.require_may_act(actor, caller.org_id, now)
    profile_rules.require_user_manager(actor, catalog)


def _require_new_person(repo: IdentityRepository, invites: InvitationRepository,
                        invitation: Invitation, now: datetime) -> None:
    if repo.email_taken(invitation.practice_id, invitation.email):
        raise StateConflict("Someone in your practice already has this email address.",
                            {"email": invitation.email})
    open_one = invites.pending_for(invitation.practice_id, invitation.email, now)
    if open_one is not None:
        raise StateConflict("This person already has an open invitation. Resend it instead "
                            "of sending another.", {"invitation_id": open_one})


def _default_clinic(repo: IdentityRepository, org_id: str, clinic_id: str | None
                    ) -> str | None:
    """The chosen clinic, or the practice's only clinic when it has just one."""
    if clinic_id is not None:
        if repo.clinic(org_id, clinic_id) is None:
            raise InvalidRequest("Pick a clinic of your own practice.",
                                 {"default_clinic_id": clinic_id})
        return clinic_id
    clinics = repo.clinics_of(org_id)
    return clinics[0].id if len(clinics) == 1 else None


def _invitation(invites: InvitationRepository, caller: Caller, invitation_id: str
                ) -> Invitation:
    invitation = invites.get(caller.org_id, invitation_id)
    if invitation is None:
        raise NotFoundInPractice("There is no such invitation in your practice.",
                                 {"invitation_id": invitation_id})
    return invitation


def _view(invites: InvitationRepository, invitation: Invitation, now: datetime
          ) -> InvitationView:
    extras = invites.extras(invitation.id)
    return InvitationView(invitation, invitation.status(now), extras["mail_status"],
                          extras["default_clinic_id"], extras["user_id"],
                          extras["supervising_therapist_id"])


def _publish(uow: UnitOfWork, definition: EventDefinition, actor: Actor, invitation: Invitation,
             data: dict) -> None:
    uow.publish(definition.event(
        subject=Subject("invitation", invitation.id),
        org_id=invitation.practice_id, actor=event_actor(actor.user), data=data,
    ))


def role_profile_of(uow: UnitOfWork, caller: Caller, catalog: UserTypeCatalog
                    ) -> StaffProfile:
    """The caller's role and what it sets: landing page, insights, notification defaults."""
    with uow:
        repo = IdentityRepository(uow.session)
        user = load_actor(repo, caller).user
        return staff_profile(user, InvitationRepository(uow.session).staff_role(user.id),
                             catalog, integrated=repo.practice(caller.org_id).integrated)
