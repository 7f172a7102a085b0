"""Admin-only settings areas: only an Admin (manage_users) of the practice sees or changes
them; digests are weekly by default; templates name only placeholders the sender fills."""

import pytest

from identity.domain.errors import AdminOnly, InvalidRequest, NotAllowed, OutsidePractice
from identity.domain.practice_settings import (
    SettingsArea,
    changed_fields,
    check_integrations,
    current_settings,
    require_admin,
)
from identity.domain.treatment_plan_settings import (
    check_treatment_plan_settings,
    unknown_placeholders,
)
from identity.domain.users import Actor


@pytest.mark.parametrize("area", list(SettingsArea))
def test_an_admin_sees_and_changes_every_area(manager, practice, catalog, now, area):
    require_admin(manager, practice.id, area, catalog, now)


@pytest.mark.parametrize("area", list(SettingsArea))
@pytest.mark.parametrize("user_type", ["PT", "PTA", "Front Office", "SPT"])
def test_a_user_level_member_is_refused_every_area_and_told_to_ask_an_admin(
        make_user, practice, catalog, now, area, user_type):
    user = Actor(make_user(user_type), "clinic-1")
    with pytest.raises(AdminOnly, match="Ask an Admin") as refused:
        require_admin(user, practice.id, area, catalog, now)
    assert refused.value.code == "admin_only"
    assert refused.value.details == {"area": area.value, "required_permission_level": "admin",
                                     "required_permission": "manage_users"}


def test_an_admin_whose_manage_users_was_revoked_is_a_user(make_user, practice, catalog, now):
    demoted = Actor(make_user("PT", granted=("manage_users",), revoked=("manage_users",)))
    with pytest.raises(AdminOnly):
        require_admin(demoted, practice.id, SettingsArea.DIGESTS, catalog, now)


def test_a_deactivated_admin_and_another_practices_admin_are_refused(make_user, practice,
                                                                     catalog, now):
    gone = Actor(make_user("PT", granted=("manage_users",), active=False))
    with pytest.raises(NotAllowed, match="deactivated"):
        require_admin(gone, practice.id, SettingsArea.WEBCHAT, catalog, now)
    stranger = Actor(make_user("PT", granted=("manage_users",), practice_id="elsewhere"))
    with pytest.raises(OutsidePractice):
        require_admin(stranger, practice.id, SettingsArea.WEBCHAT, catalog, now)


def test_digests_are_weekly_until_an_admin_chooses_daily():
    assert current_settings(SettingsArea.DIGESTS, None) == {"frequency": "weekly"}
    assert current_settings(SettingsArea.DIGESTS, {"frequency": "daily"}) == {
        "frequency": "daily"}


def test_changed_fields_name_only_what_differs():
    assert changed_fields({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == ["b"]


def test_each_kind_of_integration_is_listed_once():
    with pytest.raises(InvalidRequest) as refused:
        check_integrations([{"kind": "sms"}, {"kind": "payments"}, {"kind": "sms"}])
    assert refused.value.details["repeated_kinds"] == ["sms"]


@pytest.mark.parametrize("body, unknown", [
    ("Hi {patient_first_name} from {practice_name}", []),
    ("Hi {patient_frist_name}", ["patient_frist_name"]),
    ("Hi {patient_first_name", ["{"]),
    ("Balance: {{amount}}", ["amount", "{", "}"]),
])
def test_templates_name_only_placeholders_the_sender_fills(body, unknown):
    assert unknown_placeholders(body) == unknown


def test_item_codes_are_unique_whatever_their_case():
    with pytest.raises(InvalidRequest) as refused:
        check_treatment_plan_settings({"item_codes": [
            {"code": "D1110"}, {"code": "d1110 "}]})
    assert refused.value.details == {"field": "item_codes", "repeated": ["d1110"]}


def test_a_reminder_with_an_unknown_placeholder_is_refused():
    with pytest.raises(InvalidRequest, match="placeholders") as refused:
        check_treatment_plan_settings({"reminder_templates": [
            {"name": "Nudge", "body": "Your balance is {balance}"}]})
    assert refused.value.details["not_allowed"] == ["balance"]
