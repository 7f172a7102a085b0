from datetime import timedelta

import pytest

from identity.domain.errors import (
    LinkExpired,
    LinkUnusable,
    NotAUserManager,
    SeatLimitReached,
    StateConflict,
)
from identity.domain.invitation_lifecycle import (
    accept_invitation,
    resend_invitation,
    revoke_invitation,
    user_from_invitation,
)
from identity.domain.invitations import (
    InvitationRequest,
    InvitationStatus,
    invite_staff,
)
from identity.domain.roles import ClinicalRole, PracticeRole
from identity.domain.seats import SeatUsage
from identity.domain.users import Actor

ROOM = SeatUsage(licensed=5, active_staff=1)


def invite(actor, catalog, now, seats=ROOM, practitioners=(), **request):
    fields = dict(
        full_name="Sam Lee", email="Sam.Lee@harbour.example", role=PracticeRole.FRONT_DESK
    )
    fields.update(request)
    return invite_staff(
        actor,
        InvitationRequest(**fields),
        invitation_id="inv-1",
        catalog=catalog,
        seats=seats,
        practitioners=practitioners,
        now=now,
    )


def test_an_expired_invitation_cannot_be_accepted(manager, catalog, now):
    outcome = invite(manager, catalog, now)
    with pytest.raises(LinkExpired, match="resend"):
        accept_invitation(
            outcome.invitation, outcome.token.raw, seats=ROOM, now=now + timedelta(days=8)
        )


def test_an_invitation_token_is_single_use(manager, catalog, now):
    outcome = invite(manager, catalog, now)
    accepted = accept_invitation(outcome.invitation, outcome.token.raw, seats=ROOM, now=now)
    assert accepted.status(now) is InvitationStatus.ACCEPTED
    with pytest.raises(LinkUnusable):
        accept_invitation(accepted, outcome.token.raw, seats=ROOM, now=now)


def test_resending_issues_a_new_token_and_kills_the_old_one(manager, catalog, now):
    outcome = invite(manager, catalog, now)
    later = now + timedelta(days=6)
    renewed, new_token = resend_invitation(manager, outcome.invitation, catalog=catalog, now=later)
    assert new_token.raw != outcome.token.raw
    assert renewed.expires_at == later + timedelta(days=7)
    with pytest.raises(LinkUnusable):
        accept_invitation(renewed, outcome.token.raw, seats=ROOM, now=later)
    assert accept_invitation(renewed, new_token.raw, seats=ROOM, now=later).accepted_at == later


def test_an_expired_invitation_can_be_resent(manager, catalog, now):
    outcome = invite(manager, catalog, now)
    renewed, _ = resend_invitation(
        manager, outcome.invitation, catalog=catalog, now=now + timedelta(days=10)
    )
    assert renewed.status(now + timedelta(days=10)) is InvitationStatus.PENDING


def test_a_revoked_invitation_cannot_be_accepted_or_resent(manager, catalog, now):
    outcome = invite(manager, catalog, now)
    revoked = revoke_invitation(manager, outcome.invitation, catalog=catalog, now=now)
    with pytest.raises(LinkUnusable, match="revoked"):
        accept_invitation(revoked, outcome.token.raw, seats=ROOM, now=now)
    with pytest.raises(StateConflict):
        resend_invitation(manager, revoked, catalog=catalog, now=now)


def test_only_admins_resend_or_revoke(manager, make_user, catalog, now):
    outcome = invite(manager, catalog, now)
    plain = Actor(make_user("PT"))
    with pytest.raises(NotAUserManager):
        resend_invitation(plain, outcome.invitation, catalog=catalog, now=now)
    with pytest.raises(NotAUserManager):
        revoke_invitation(plain, outcome.invitation, catalog=catalog, now=now)


def test_accepting_uses_the_seat_the_invitation_held(manager, catalog, now):
    outcome = invite(manager, catalog, now)
    held = SeatUsage(licensed=2, active_staff=1, pending_invitations=1)
    accept_invitation(outcome.invitation, outcome.token.raw, seats=held, now=now)
    with pytest.raises(SeatLimitReached):
        accept_invitation(outcome.invitation, outcome.token.raw, seats=SeatUsage(2, 2), now=now)


def test_an_admin_invitation_makes_a_user_manager(manager, catalog, now):
    outcome = invite(manager, catalog, now, role=PracticeRole.OWNER_MANAGER)
    user = user_from_invitation(outcome.invitation, user_id="u-9", catalog=catalog)
    assert "manage_users" in user.permissions(catalog)


def test_a_user_level_invitation_does_not_make_a_user_manager(manager, catalog, now):
    user = user_from_invitation(
        invite(manager, catalog, now).invitation, user_id="u-9", catalog=catalog
    )
    assert "manage_users" not in user.permissions(catalog)


def test_invited_users_get_the_invitations_user_type(manager, catalog, now):
    front_desk = invite(manager, catalog, now).invitation
    practitioner = invite(manager, catalog, now, role=PracticeRole.PRACTITIONER,
                          clinical_role=ClinicalRole.OTHER,
                          confirm_new_practitioner=True).invitation
    assert user_from_invitation(front_desk, user_id="u-9", catalog=catalog).user_type == (
        "Front Office")
    assert user_from_invitation(practitioner, user_id="u-10", catalog=catalog).user_type == "PT"
