from datetime import timedelta

import pytest

from identity.domain.errors import (
    InvalidRequest,
    NotAUserManager,
    SeatLimitReached,
)
from identity.domain.invitations import (
    InvitationRequest,
    InvitationStatus,
    invite_staff,
)
from identity.domain.practitioners import Practitioner, PractitionerLink
from identity.domain.roles import ClinicalRole, PermissionLevel, PracticeRole
from identity.domain.seats import SeatUsage
from identity.domain.tokens import hash_token
from identity.domain.users import Actor

ROOM = SeatUsage(licensed=5, active_staff=1)
DR_NGUYEN = Practitioner("prac-1", "Dr Anh Nguyen")


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


def test_only_admins_invite_staff(make_user, catalog, now):
    with pytest.raises(NotAUserManager, match="Admin"):
        invite(Actor(make_user("Front Office")), catalog, now)


def test_owner_manager_invitations_default_to_admin(manager, catalog, now):
    outcome = invite(manager, catalog, now, role=PracticeRole.OWNER_MANAGER)
    assert outcome.invitation.permission_level is PermissionLevel.ADMIN


def test_other_roles_default_to_user_level(manager, catalog, now):
    assert invite(manager, catalog, now).invitation.permission_level is PermissionLevel.USER


def test_a_practitioner_needs_a_clinical_role(manager, catalog, now):
    with pytest.raises(InvalidRequest, match="clinical role"):
        invite(manager, catalog, now, role=PracticeRole.PRACTITIONER)


def test_only_practitioners_have_a_clinical_role(manager, catalog, now):
    with pytest.raises(InvalidRequest, match="Only practitioners"):
        invite(manager, catalog, now, clinical_role=ClinicalRole.DENTIST)


def test_a_new_practitioner_named_like_an_existing_one_is_flagged_not_created(
    manager, catalog, now
):
    outcome = invite(
        manager,
        catalog,
        now,
        role=PracticeRole.PRACTITIONER,
        clinical_role=ClinicalRole.DENTIST,
        full_name="  dr ANH   nguyen ",
        practitioners=[DR_NGUYEN, Practitioner("p2", "Kim Tan")],
    )
    assert outcome.needs_decision
    assert outcome.invitation is None and outcome.token is None
    assert [(c.kind, c.id, c.name) for c in outcome.possible_duplicates] == [
        ("practitioner", "prac-1", "Dr Anh Nguyen")]


def test_the_admin_may_confirm_a_different_person_with_the_same_name(manager, catalog, now):
    outcome = invite(
        manager,
        catalog,
        now,
        role=PracticeRole.PRACTITIONER,
        clinical_role=ClinicalRole.DENTIST,
        full_name="Dr Anh Nguyen",
        practitioners=[DR_NGUYEN],
        confirm_new_practitioner=True,
    )
    assert outcome.invitation.practitioner == PractitionerLink(new_name="Dr Anh Nguyen",
                                                               confirmed=True)


def test_the_admin_may_link_an_existing_practitioner_record(manager, catalog, now):
    outcome = invite(
        manager,
        catalog,
        now,
        role=PracticeRole.PRACTITIONER,
        clinical_role=ClinicalRole.HYGIENIST,
        practitioners=[DR_NGUYEN],
        practitioner_id="prac-1",
    )
    assert outcome.invitation.practitioner == PractitionerLink(existing_id="prac-1")


def test_linking_an_unknown_practitioner_record_is_refused(manager, catalog, now):
    with pytest.raises(InvalidRequest, match="does not exist"):
        invite(
            manager,
            catalog,
            now,
            role=PracticeRole.PRACTITIONER,
            clinical_role=ClinicalRole.OTHER,
            practitioner_id="missing",
        )


def test_inviting_past_the_licensed_seats_is_refused(manager, catalog, now):
    with pytest.raises(SeatLimitReached, match="cannot invite"):
        invite(manager, catalog, now, seats=SeatUsage(5, 4, pending_invitations=1))


def test_the_invitation_stores_only_the_token_hash_and_lasts_seven_days(manager, catalog, now):
    outcome = invite(manager, catalog, now)
    invitation, token = outcome.invitation, outcome.token
    assert invitation.token_hash == hash_token(token.raw) != token.raw
    assert token.raw not in repr(invitation)
    assert invitation.email == "sam.lee@harbour.example"
    assert (
        invitation.status(now + timedelta(days=7) - timedelta(seconds=1))
        is InvitationStatus.PENDING
    )
    assert invitation.status(now + timedelta(days=7)) is InvitationStatus.EXPIRED


def test_an_invitation_may_name_another_user_type(manager, catalog, now):
    outcome = invite(manager, catalog, now, user_type="Front Office")
    assert outcome.invitation.user_type == "Front Office"
