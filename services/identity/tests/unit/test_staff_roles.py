import pytest

from identity.domain.roles import (
    CLINICAL_INSIGHTS,
    ClinicalRole,
    InsightScope,
    PermissionLevel,
    PracticeRole,
)
from identity.domain.staff_roles import StaffRole, assumed_role, level_grants, staff_profile


def test_an_admin_who_joined_without_an_invitation_runs_the_practice(make_user, catalog):
    owner = make_user("PT", granted=("manage_users",))
    profile = staff_profile(owner, None, catalog)
    assert profile.role.role is PracticeRole.OWNER_MANAGER
    assert profile.permission_level is PermissionLevel.ADMIN
    assert profile.defaults.landing_page == "patient_engagement"


def test_a_note_writer_without_a_recorded_role_is_a_practitioner(make_user, catalog):
    assert assumed_role(make_user("PTA"), catalog).role is PracticeRole.PRACTITIONER


def test_clerical_staff_without_a_recorded_role_work_the_front_desk(make_user, catalog):
    profile = staff_profile(make_user("Front Office"), None, catalog)
    assert profile.role.role is PracticeRole.FRONT_DESK
    assert profile.defaults.insights[CLINICAL_INSIGHTS] is InsightScope.NONE
    assert profile.defaults.admin_areas == frozenset()


def test_the_recorded_role_wins_over_what_the_user_type_suggests(make_user, catalog):
    recorded = StaffRole(PracticeRole.PRACTITIONER, ClinicalRole.HYGIENIST, "prac-1")
    profile = staff_profile(make_user("Front Office"), recorded, catalog)
    assert profile.role == recorded
    assert profile.defaults.landing_page == "synced_patients"


def test_the_permission_level_follows_manage_users_not_the_invitation(make_user, catalog):
    recorded = StaffRole(PracticeRole.PRACTITIONER, ClinicalRole.DENTIST)
    promoted = staff_profile(make_user("PT", granted=("manage_users",)), recorded, catalog)
    assert promoted.permission_level is PermissionLevel.ADMIN
    assert "users" in promoted.defaults.admin_areas
    demoted = staff_profile(make_user("PT"), StaffRole(PracticeRole.OWNER_MANAGER), catalog)
    assert demoted.permission_level is PermissionLevel.USER
    assert demoted.defaults.admin_areas == frozenset()


@pytest.mark.parametrize(("user_type", "role", "clinical"), [
    ("Dentist", PracticeRole.PRACTITIONER, ClinicalRole.DENTIST),
    ("Hygienist", PracticeRole.PRACTITIONER, ClinicalRole.HYGIENIST),
    ("Front Desk", PracticeRole.FRONT_DESK, None),
    ("Practice Manager", PracticeRole.OWNER_MANAGER, None),
])
def test_a_dental_type_without_a_recorded_role_has_the_role_it_stands_for(
    make_user, catalog, user_type, role, clinical
):
    assumed = assumed_role(make_user(user_type, granted=("manage_users",)), catalog)
    assert (assumed.role, assumed.clinical_role) == (role, clinical)


def test_a_practitioner_of_a_practice_without_an_integration_lands_on_case_presentations(
    make_user, catalog
):
    profile = staff_profile(make_user("Dentist"), None, catalog, integrated=False)
    assert profile.defaults.landing_page == "case_presentations"


def test_the_dental_admin_level_also_edits_patient_records_the_therapy_one_does_not(catalog):
    assert level_grants(catalog.get("Hygienist"), PermissionLevel.ADMIN) == {
        "manage_users", "edit_patients"}
    assert level_grants(catalog.get("PT"), PermissionLevel.ADMIN) == {"manage_users"}
    assert level_grants(catalog.get("Dentist"), PermissionLevel.USER) == frozenset()
