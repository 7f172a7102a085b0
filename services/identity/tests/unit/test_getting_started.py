"""The invitee confirms their name, clinical role and practitioner record when getting started."""

from __future__ import annotations

import pytest

from identity.domain.errors import InvalidRequest
from identity.domain.getting_started import ProfileConfirmation, confirm_profile
from identity.domain.invitations import InvitationRequest, invite_staff
from identity.domain.practitioners import Practitioner, PractitionerLink
from identity.domain.roles import ClinicalRole, PracticeRole
from identity.domain.seats import SeatUsage

DR_LEE = Practitioner("prac-1", "Dr Sam Lee")


def invitation(manager, catalog, now, **request):
    fields = dict(full_name="Sam Lee", email="sam@harbour.example",
                  role=PracticeRole.PRACTITIONER, clinical_role=ClinicalRole.DENTIST,
                  confirm_new_practitioner=True)
    fields.update(request)
    return invite_staff(manager, InvitationRequest(**fields), invitation_id="inv-1",
                        catalog=catalog, seats=SeatUsage(licensed=5, active_staff=1),
                        practitioners=(), now=now).invitation


def test_the_invitee_corrects_their_name(manager, catalog, now):
    invited = invitation(manager, catalog, now, role=PracticeRole.FRONT_DESK,
                         clinical_role=None, confirm_new_practitioner=False)
    confirmed = confirm_profile(invited, ProfileConfirmation("  Samantha   Lee "),
                                practitioners=(), catalog=catalog)
    assert confirmed.invitation.full_name == "Samantha Lee"
    assert confirmed.invitation.practitioner is None


def test_a_name_is_required(manager, catalog, now):
    with pytest.raises(InvalidRequest, match="name"):
        confirm_profile(invitation(manager, catalog, now), ProfileConfirmation("  "),
                        practitioners=(), catalog=catalog)


def test_a_practitioner_chooses_their_clinical_role(manager, catalog, now):
    confirmed = confirm_profile(
        invitation(manager, catalog, now),
        ProfileConfirmation("Sam Lee", clinical_role=ClinicalRole.HYGIENIST),
        practitioners=(), catalog=catalog)
    assert confirmed.invitation.clinical_role is ClinicalRole.HYGIENIST


def test_a_practitioner_picks_an_existing_record(manager, catalog, now):
    confirmed = confirm_profile(
        invitation(manager, catalog, now),
        ProfileConfirmation("Sam Lee", practitioner_id=DR_LEE.id),
        practitioners=(DR_LEE,), catalog=catalog)
    assert confirmed.invitation.practitioner == PractitionerLink(existing_id=DR_LEE.id)


def test_a_new_record_with_an_existing_name_waits_for_a_decision(manager, catalog, now):
    same_name = Practitioner("prac-2", "sam  LEE")
    confirmed = confirm_profile(invitation(manager, catalog, now),
                                ProfileConfirmation("Sam Lee"), practitioners=(same_name,),
                                catalog=catalog)
    assert confirmed.invitation is None
    assert [(c.kind, c.id, c.linked) for c in confirmed.possible_duplicates] == [
        ("practitioner", "prac-2", False)]
    different = confirm_profile(
        invitation(manager, catalog, now),
        ProfileConfirmation("Sam Lee", confirm_new_practitioner=True),
        practitioners=(same_name,), catalog=catalog)
    assert different.invitation.practitioner == PractitionerLink(new_name="Sam Lee", confirmed=True)


def test_a_user_type_the_admin_chose_stays_whatever_the_clinical_role(manager, catalog, now):
    invited = invitation(manager, catalog, now, user_type="OT")
    confirmed = confirm_profile(
        invited, ProfileConfirmation("Sam Lee", clinical_role=ClinicalRole.OTHER),
        practitioners=(), catalog=catalog)
    assert confirmed.invitation.user_type == "OT"
