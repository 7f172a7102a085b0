"""The dental seed's "Role in Practice", line by line (role_profiles.json is its data)."""

import pytest

from identity.domain.errors import NotAllowed
from identity.domain.practice_settings import SettingsArea
from identity.domain.roles import (
    ADMIN_AREAS,
    CLINICAL_INSIGHTS,
    PATIENT_ENGAGEMENT,
    PATIENT_REPORTS,
    InsightScope,
    PermissionLevel,
    PracticeRole,
    default_permission_level,
    role_profile,
)

OWNER = role_profile(PracticeRole.OWNER_MANAGER, PermissionLevel.ADMIN)
PRACTITIONER = role_profile(PracticeRole.PRACTITIONER, PermissionLevel.USER)
FRONT_DESK = role_profile(PracticeRole.FRONT_DESK, PermissionLevel.USER)
EVERY_INSIGHT = (CLINICAL_INSIGHTS, PATIENT_REPORTS, PATIENT_ENGAGEMENT)


# --- Practice Owner/Manager -------------------------------------------------------------

def test_owner_opens_in_patient_engagement():
    assert OWNER.landing_page == "patient_engagement"
    assert role_profile(PracticeRole.OWNER_MANAGER, PermissionLevel.ADMIN,
                        integrated=False).landing_page == "patient_engagement"


@pytest.mark.parametrize("insight", EVERY_INSIGHT)
def test_owner_can_view_all_pages_every_insight_for_every_patient(insight):
    assert OWNER.insights[insight] is InsightScope.PRACTICE
    assert OWNER.may_see_insight(insight, own_patient=False)


def test_owner_receives_the_practice_digest():
    assert OWNER.digests == {"practice_digest"}


def test_owner_by_default_receives_every_proceed_with_treatment_plan_notification():
    assert OWNER.notifications == {"proceed_with_treatment_plan"}


def test_owner_permissions_are_admin_by_default_the_others_user():
    assert default_permission_level(PracticeRole.OWNER_MANAGER) is PermissionLevel.ADMIN
    assert default_permission_level(PracticeRole.PRACTITIONER) is PermissionLevel.USER
    assert default_permission_level(PracticeRole.FRONT_DESK) is PermissionLevel.USER


# --- Practitioner -----------------------------------------------------------------------

def test_practitioner_sees_clinical_insights_only_where_they_are_the_assigned_practitioner():
    assert PRACTITIONER.insights[CLINICAL_INSIGHTS] is InsightScope.OWN_PATIENTS
    assert PRACTITIONER.may_see_insight(CLINICAL_INSIGHTS, own_patient=True)
    assert not PRACTITIONER.may_see_insight(CLINICAL_INSIGHTS, own_patient=False)
    with pytest.raises(NotAllowed, match="assigned practitioner"):
        PRACTITIONER.require_insight(CLINICAL_INSIGHTS, own_patient=False)


@pytest.mark.parametrize("insight", [PATIENT_REPORTS, PATIENT_ENGAGEMENT])
def test_practitioner_sees_patient_reports_and_engagement_for_the_entire_practice(insight):
    assert PRACTITIONER.insights[insight] is InsightScope.PRACTICE
    assert PRACTITIONER.may_see_insight(insight, own_patient=False)
    PRACTITIONER.require_insight(insight, own_patient=False)


def test_practitioner_opens_in_synced_patients_or_case_presentations_if_non_integrated():
    assert PRACTITIONER.landing_page == "synced_patients"
    assert role_profile(PracticeRole.PRACTITIONER, PermissionLevel.USER,
                        integrated=False).landing_page == "case_presentations"


def test_practitioner_receives_the_practitioner_digest():
    assert PRACTITIONER.digests == {"practitioner_digest"}
    assert PRACTITIONER.notifications == frozenset()


def test_only_an_admin_practitioner_may_turn_on_the_practice_digest():
    assert "practice_digest" not in PRACTITIONER.digests_available
    admin = role_profile(PracticeRole.PRACTITIONER, PermissionLevel.ADMIN)
    assert "practice_digest" in admin.digests_available
    assert admin.digests == {"practitioner_digest"}


# --- DA/Front Desk ----------------------------------------------------------------------

def test_front_desk_cannot_view_clinical_insights_even_for_a_patient():
    assert FRONT_DESK.insights[CLINICAL_INSIGHTS] is InsightScope.NONE
    assert not FRONT_DESK.may_see_insight(CLINICAL_INSIGHTS, own_patient=True)
    with pytest.raises(NotAllowed, match="not for your role"):
        FRONT_DESK.require_insight(CLINICAL_INSIGHTS, own_patient=True)


@pytest.mark.parametrize("insight", [PATIENT_REPORTS, PATIENT_ENGAGEMENT])
def test_front_desk_sees_patient_reports_and_engagement_for_the_entire_practice(insight):
    assert FRONT_DESK.insights[insight] is InsightScope.PRACTICE
    assert FRONT_DESK.may_see_insight(insight, own_patient=False)


def test_front_desk_opens_in_conversations():
    assert FRONT_DESK.landing_page == "conversations"


def test_front_desk_by_default_receives_payment_plan_requests_acceptance_and_proceed_with_plan():
    assert FRONT_DESK.notifications == {"payment_plan_requested", "payment_plan_accepted",
                                        "proceed_with_plan"}


@pytest.mark.parametrize("level", list(PermissionLevel))
def test_digests_are_not_available_for_front_desk_even_for_an_admin(level):
    profile = role_profile(PracticeRole.FRONT_DESK, level)
    assert profile.digests == frozenset() and profile.digests_available == frozenset()


# --- Permission level -------------------------------------------------------------------

def test_practice_digests_are_received_by_admins_only():
    user_owner = role_profile(PracticeRole.OWNER_MANAGER, PermissionLevel.USER)
    assert user_owner.digests == frozenset() and user_owner.digests_available == frozenset()


@pytest.mark.parametrize("role", list(PracticeRole))
def test_only_admins_see_and_edit_practice_settings(role):
    assert role_profile(role, PermissionLevel.ADMIN).admin_areas == ADMIN_AREAS
    assert role_profile(role, PermissionLevel.USER).admin_areas == frozenset()


def test_admin_areas_hold_the_seeds_admin_only_list():
    seed = {"practice_info", "users", "patient_records", "integrations",
            "treatment_plan_settings", "webchat", "digests"}
    assert seed <= ADMIN_AREAS


def test_every_enforced_settings_area_is_shown_as_an_admin_area():
    assert {area.value for area in SettingsArea} <= ADMIN_AREAS


@pytest.mark.parametrize("role", list(PracticeRole))
def test_the_level_does_not_change_what_a_role_sees_or_hears_about(role):
    admin, user = (role_profile(role, level) for level in PermissionLevel)
    assert (admin.landing_page, admin.insights, admin.notifications) == (
        user.landing_page, user.insights, user.notifications)
