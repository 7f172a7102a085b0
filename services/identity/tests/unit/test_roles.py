import pytest

from identity.domain.errors import NotAllowed
from identity.domain.roles import (
    ADMIN_AREAS,
    InsightVisibility,
    PermissionLevel,
    PracticeRole,
    role_profile,
)

OWNER = role_profile(PracticeRole.OWNER_MANAGER, PermissionLevel.ADMIN)
PRACTITIONER = role_profile(PracticeRole.PRACTITIONER, PermissionLevel.USER)
FRONT_DESK = role_profile(PracticeRole.FRONT_DESK, PermissionLevel.USER)


def test_the_role_decides_the_landing_page():
    assert OWNER.landing_page == "patient_engagement"
    assert PRACTITIONER.landing_page == "patient_list"
    assert FRONT_DESK.landing_page == "conversations"


def test_owners_see_every_insight():
    assert OWNER.insights is InsightVisibility.ALL
    assert OWNER.may_see_insight(clinical=False, own_patient=False)


def test_practitioners_see_clinical_insights_for_their_own_patients_only():
    assert PRACTITIONER.may_see_insight(clinical=True, own_patient=True)
    assert not PRACTITIONER.may_see_insight(clinical=True, own_patient=False)
    assert not PRACTITIONER.may_see_insight(clinical=False, own_patient=True)


def test_front_desk_sees_no_insights():
    assert not FRONT_DESK.may_see_insight(clinical=True, own_patient=True)
    assert not FRONT_DESK.may_see_insight(clinical=False, own_patient=False)


def test_default_notifications_differ_by_role():
    assert "new_conversations" in FRONT_DESK.notifications
    assert "new_conversations" not in PRACTITIONER.notifications
    assert "weekly_performance" in OWNER.digests
    assert "weekly_performance" not in FRONT_DESK.digests


@pytest.mark.parametrize("role", list(PracticeRole))
def test_only_admins_see_and_edit_practice_settings(role):
    assert role_profile(role, PermissionLevel.ADMIN).admin_areas == ADMIN_AREAS
    user_level = role_profile(role, PermissionLevel.USER)
    for area in ADMIN_AREAS:
        with pytest.raises(NotAllowed, match="Only Admins"):
            user_level.require_admin_area(area)


def test_admin_areas_cover_practice_info_users_integrations_templates_and_digests():
    assert {"practice_info", "users", "integrations", "templates", "digests"} == ADMIN_AREAS
