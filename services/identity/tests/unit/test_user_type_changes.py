from datetime import timedelta

import pytest

from identity.domain.errors import (
    AutomationProfileProtected,
    NotAllowed,
    UserTypeChangeNeedsSupport,
)
from identity.domain.profile_changes import (
    change_user_type,
)


def test_a_practice_cannot_change_a_user_type_and_is_told_to_contact_support(
    manager, make_user, catalog, now
):
    with pytest.raises(UserTypeChangeNeedsSupport, match="Contact support"):
        change_user_type(manager, make_user("PTA"), "PT", catalog=catalog, now=now)


def test_vendor_support_with_an_active_grant_changes_a_user_type(
    vendor_support, make_user, catalog, now
):
    target = make_user("PTA", permission_version=3)
    change = change_user_type(vendor_support, target, "PT", catalog=catalog, now=now)
    assert change.user.user_type == "PT"
    assert "finish_notes" in change.permissions_after - change.permissions_before
    assert change.permission_version == 4


def test_vendor_support_whose_grant_has_ended_cannot_change_a_user_type(
    vendor_support, make_user, catalog, now
):
    after_end = vendor_support.access_grant.ends_at
    with pytest.raises(NotAllowed, match="no active access grant"):
        change_user_type(vendor_support, make_user("PTA"), "PT", catalog=catalog, now=after_end)


def test_a_vendor_grant_for_another_practice_does_not_open_this_one(
    vendor_support, make_user, catalog, now
):
    elsewhere = make_user("PTA", practice_id="practice-2")
    with pytest.raises(NotAllowed):
        change_user_type(vendor_support, elsewhere, "PT", catalog=catalog, now=now)


def test_a_type_change_drops_overrides_but_keeps_administrative_grants(
    vendor_support, make_user, catalog, now
):
    target = make_user("PTA", granted=("finish_notes", "manage_users"), revoked=("edit_patients",))
    change = change_user_type(vendor_support, target, "SPT", catalog=catalog, now=now)
    assert change.permissions_after == catalog.default_permissions("SPT") | {"manage_users"}


def test_no_staff_user_is_turned_into_the_automation_type(vendor_support, make_user, catalog, now):
    with pytest.raises(AutomationProfileProtected):
        change_user_type(vendor_support, make_user("PT"), "Automation", catalog=catalog, now=now)


def test_grant_window_ends_exactly_at_its_end(vendor_support, make_user, catalog, now):
    just_before = vendor_support.access_grant.ends_at - timedelta(microseconds=1)
    change = change_user_type(
        vendor_support, make_user("PTA"), "PT", catalog=catalog, now=just_before
    )
    assert change.user.user_type == "PT"
