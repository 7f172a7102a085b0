"""A User Manager edits a user over their working life; the practice keeps a User Manager."""

from __future__ import annotations

from dataclasses import replace

import pytest

from identity.domain.errors import (
    InvalidRequest,
    LastUserManager,
    NotAUserManager,
    WrongClinicForBillingUser,
)
from identity.domain.practices import Practice
from identity.domain.profile_changes import change_permissions, deactivate_user
from identity.domain.roles import ClinicalRole, PracticeRole
from identity.domain.staff_roles import StaffRole
from identity.domain.supervision import require_supervisor_fits
from identity.domain.user_edits import ProfileEdit, StaffRecord, edit_profile
from identity.domain.user_managers import require_a_user_manager_remains
from identity.domain.users import Actor, UserKind

CLINICS = frozenset({"clinic-1", "clinic-2"})
PRACTITIONER = StaffRole(PracticeRole.PRACTITIONER, ClinicalRole.OTHER)


def record(user, *, clinics=("clinic-1",), supervisor=None,
           role=PRACTITIONER) -> StaffRecord:
    return StaffRecord(user, frozenset(clinics), supervisor, role)


def edit(manager, current, catalog, now, supervisor=None, **changes):
    return edit_profile(manager, current, ProfileEdit(**changes), practice_clinic_ids=CLINICS,
                        supervisor=supervisor, catalog=catalog, now=now)


def test_a_user_manager_renames_a_user_without_outdating_their_tokens(
    manager, make_user, catalog, now
):
    edited = edit(manager, record(make_user("PT")), catalog, now, full_name="  Kim   Lee ")
    assert edited.after.user.full_name == "Kim Lee" and edited.changed == ("full_name",)
    assert not edited.outdates_tokens
    assert edited.permission_version == edited.before.user.permission_version


def test_adding_a_clinic_opened_later_outdates_the_users_tokens(manager, make_user, catalog,
                                                                 now):
    edited = edit(manager, record(make_user("PT")), catalog, now,
                  clinic_ids=["clinic-1", "clinic-2"])
    assert edited.after.clinic_ids == CLINICS and edited.changed == ("clinic_ids",)
    assert edited.outdates_tokens and edited.permission_version == 2


def test_clinics_must_belong_to_the_practice(manager, make_user, catalog, now):
    with pytest.raises(InvalidRequest, match="clinics of your own practice"):
        edit(manager, record(make_user("PT")), catalog, now,
             clinic_ids=["clinic-1", "elsewhere"])


def test_the_default_clinic_stays_one_of_the_users_clinics(manager, make_user, catalog, now):
    with pytest.raises(InvalidRequest, match="default clinic must be one of"):
        edit(manager, record(make_user("PT")), catalog, now, clinic_ids=["clinic-2"])
    moved = edit(manager, record(make_user("PT")), catalog, now, default_clinic_id="clinic-2")
    assert moved.after.clinic_ids == CLINICS


def test_only_a_user_manager_edits_a_user(make_user, catalog, now):
    with pytest.raises(NotAUserManager):
        edit(Actor(make_user("PT"), "clinic-1"), record(make_user("PT")), catalog, now,
             full_name="Someone Else")


def test_a_billing_user_keeps_a_default_clinic(manager, make_user, catalog, now):
    with pytest.raises(InvalidRequest, match="Billing user needs a default clinic"):
        edit(manager, record(make_user("Billing")), catalog, now, default_clinic_id=None)


def test_a_billing_user_is_edited_from_their_default_clinic_only(manager, make_user, catalog,
                                                                 now):
    biller = make_user("Billing", default_clinic_id="clinic-2")
    with pytest.raises(WrongClinicForBillingUser):
        edit(manager, record(biller, clinics=CLINICS), catalog, now, full_name="Bea Biller")
    from_there = replace(manager, acting_clinic_id="clinic-2")
    assert edit(from_there, record(biller, clinics=CLINICS), catalog, now,
                full_name="Bea Biller").changed == ("full_name",)


def test_an_assistant_gets_an_active_therapist_of_the_practice_as_supervisor(
    manager, make_user, catalog, now
):
    assistant, therapist = make_user("PTA"), make_user("PT")
    edited = edit(manager, record(assistant), catalog, now, supervisor=therapist,
                  supervising_therapist_id=therapist.id)
    assert edited.after.supervising_therapist_id == therapist.id
    assert edited.changed == ("supervising_therapist_id",) and not edited.outdates_tokens


@pytest.mark.parametrize("who", ["front office", "inactive therapist", "other practice",
                                 "nobody"])
def test_a_supervisor_who_is_not_an_active_therapist_here_is_refused(
    who, manager, make_user, catalog, now
):
    supervisor = {"front office": make_user("Front Office"),
                  "inactive therapist": make_user("PT", active=False),
                  "other practice": make_user("PT", practice_id="practice-2"),
                  "nobody": None}[who]
    with pytest.raises(InvalidRequest, match="active therapist of your practice"):
        edit(manager, record(make_user("PTA")), catalog, now, supervisor=supervisor,
             supervising_therapist_id=supervisor.id if supervisor else "no-such-user")


def test_only_assistants_and_students_have_a_supervisor(make_user, catalog):
    with pytest.raises(InvalidRequest, match="Only assistants and students"):
        require_supervisor_fits("PT", "t-1", make_user("PT", user_id="t-1"),
                                practice_id="practice-1", catalog=catalog)


def test_a_practitioner_needs_a_clinical_role_and_nobody_else_has_one(
    manager, make_user, catalog, now
):
    front_desk = record(make_user("PT"), role=StaffRole(PracticeRole.FRONT_DESK))
    with pytest.raises(InvalidRequest, match="clinical role"):
        edit(manager, front_desk, catalog, now, practice_role="practitioner")
    with pytest.raises(InvalidRequest, match="Only practitioners"):
        edit(manager, front_desk, catalog, now, clinical_role="dentist")
    made = edit(manager, front_desk, catalog, now, practice_role="practitioner",
                clinical_role="hygienist")
    assert made.after.role == StaffRole(PracticeRole.PRACTITIONER, ClinicalRole.HYGIENIST)
    assert made.outdates_tokens
    back = edit(manager, record(make_user("PT")), catalog, now, practice_role="front_desk")
    assert back.after.role.clinical_role is None


def test_the_admin_level_grants_manage_users_and_the_user_level_revokes_it(
    manager, make_user, catalog, now
):
    promoted = edit(manager, record(make_user("PT")), catalog, now, permission_level="admin")
    assert "manage_users" in promoted.after.user.permissions(catalog)
    assert promoted.outdates_tokens and promoted.changed == ("permission_level",)
    demoted = edit(manager, promoted.after, catalog, now, permission_level="user")
    assert "manage_users" not in demoted.after.user.permissions(catalog)


def test_the_last_user_manager_cannot_lose_manage_users(manager, make_user, catalog, now):
    staff = [manager.user, make_user("PT"), make_user("PTA")]
    revoked = change_permissions(manager, manager.user, revoke=["manage_users"],
                                 practice=_practice(), catalog=catalog, now=now)
    with pytest.raises(LastUserManager, match="last active User Manager"):
        require_a_user_manager_remains(manager.user, revoked.user, staff, catalog)
    second = make_user("OT", granted=("manage_users",))
    require_a_user_manager_remains(manager.user, revoked.user, [*staff, second], catalog)


def test_the_last_user_manager_cannot_be_deactivated(manager, make_user, catalog, now):
    other_manager = make_user("PT", granted=("manage_users",))
    gone = deactivate_user(Actor(other_manager, "clinic-1"), manager.user, catalog=catalog,
                           now=now)
    with pytest.raises(LastUserManager):
        require_a_user_manager_remains(manager.user, gone.user,
                                       [manager.user, replace(other_manager, active=False)],
                                       catalog)


def test_the_automation_profile_does_not_count_as_a_user_manager(manager, make_user, catalog):
    robot = make_user("Automation", kind=UserKind.AUTOMATION, granted=("manage_users",))
    with pytest.raises(LastUserManager):
        require_a_user_manager_remains(manager.user, replace(manager.user, active=False),
                                       [manager.user, robot], catalog)


def _practice() -> Practice:
    return Practice(id="practice-1", name="Harbour Physio", licensed_seats=5)
