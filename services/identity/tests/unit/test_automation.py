import pytest

from identity.domain.automation import automation_profile, is_automation_profile
from identity.domain.errors import InvalidRequest
from identity.domain.practices import Practice
from identity.domain.seats import seat_usage
from identity.domain.users import UserKind


def build(catalog, practice_id="practice-1"):
    return automation_profile(
        user_id="auto-1",
        practice_id=practice_id,
        vendor_name="Clinicware",
        vendor_domain="clinicware.example",
        catalog=catalog,
    )


def test_automation_profile_carries_the_vendor_name_and_domain(catalog):
    profile = build(catalog)
    assert profile.kind is UserKind.AUTOMATION
    assert profile.full_name == "Clinicware Automation"
    assert profile.email.endswith("@clinicware.example")
    assert is_automation_profile(profile, "clinicware.example")


def test_each_practice_gets_its_own_automation_address(catalog):
    assert build(catalog, "practice-1").email != build(catalog, "practice-2").email


def test_automation_profile_only_views_and_edits_patients(catalog):
    assert build(catalog).permissions(catalog) == {"view_patients", "edit_patients"}


def test_automation_profile_never_takes_a_seat(catalog):
    practice = Practice(id="practice-1", name="Harbour Physio", licensed_seats=1)
    assert seat_usage(practice, [build(catalog)], catalog).free == 1


def test_a_profile_on_another_domain_is_not_the_automation_profile(catalog):
    assert not is_automation_profile(build(catalog), "other-vendor.example")


def test_automation_profile_needs_a_configured_vendor_name(catalog):
    with pytest.raises(InvalidRequest, match="vendor name"):
        automation_profile(
            user_id="a",
            practice_id="p",
            vendor_name=" ",
            vendor_domain="v.example",
            catalog=catalog,
        )
