import pytest

from identity.domain.errors import (
    AutomationProfileProtected,
    CannotDeactivateSelf,
    NotAllowed,
    NotAUserManager,
    OutsidePractice,
    SeatLimitReached,
)
from identity.domain.profile_changes import (
    change_permissions,
    deactivate_user,
    reactivate_user,
    remove_user,
)
from identity.domain.seats import SeatUsage
from identity.domain.users import Actor, UserKind


def test_only_a_user_manager_deactivates_users(make_user, catalog, now):
    with pytest.raises(NotAUserManager):
        deactivate_user(
            Actor(make_user("PT"), "clinic-1"), make_user("PT"), catalog=catalog, now=now
        )


@pytest.mark.parametrize("end_access", [deactivate_user, remove_user])
def test_nobody_removes_or_deactivates_the_automation_profile(
    end_access, manager, make_user, catalog, now
):
    automation = make_user("Automation", kind=UserKind.AUTOMATION)
    with pytest.raises(AutomationProfileProtected):
        end_access(manager, automation, catalog=catalog, now=now)


@pytest.mark.parametrize("end_access", [deactivate_user, remove_user])
def test_nobody_deactivates_or_removes_themselves(end_access, manager, catalog, now):
    with pytest.raises(CannotDeactivateSelf, match="Ask another Admin"):
        end_access(manager, manager.user, catalog=catalog, now=now)


def test_deactivation_takes_every_permission_and_bumps_the_version(
    manager, make_user, catalog, now
):
    target = make_user("PT")
    change = deactivate_user(manager, target, catalog=catalog, now=now)
    assert not change.user.active
    assert change.permissions_before == target.permissions(catalog)
    assert change.permissions_after == frozenset()
    assert change.permission_version == target.permission_version + 1


def test_reactivation_needs_a_free_seat(manager, make_user, catalog, now):
    target = make_user("PT", active=False)
    with pytest.raises(SeatLimitReached, match="seats are in use"):
        reactivate_user(manager, target, seats=SeatUsage(5, 5), catalog=catalog, now=now)
    change = reactivate_user(manager, target, seats=SeatUsage(5, 4), catalog=catalog, now=now)
    assert change.user.active and change.permissions_after == target.overrides.effective(
        catalog.default_permissions("PT")
    )


def test_a_deactivated_manager_changes_nothing(make_user, catalog, practice, now):
    former = Actor(make_user("PT", granted=("manage_users",), active=False), "clinic-1")
    with pytest.raises(NotAllowed, match="deactivated"):
        change_permissions(
            former,
            make_user("PT"),
            revoke=["edit_patients"],
            practice=practice,
            catalog=catalog,
            now=now,
        )


def test_a_vendor_user_manager_without_an_active_grant_changes_nothing(
    make_user, catalog, practice, now
):
    vendor = Actor(make_user("PT", kind=UserKind.VENDOR, granted=("manage_users",)), "clinic-1")
    with pytest.raises(NotAllowed, match="no active access grant"):
        change_permissions(
            vendor,
            make_user("PT"),
            revoke=["edit_patients"],
            practice=practice,
            catalog=catalog,
            now=now,
        )


def test_a_manager_of_another_practice_changes_nothing(make_user, catalog, practice, now):
    outsider = Actor(
        make_user("PT", practice_id="practice-2", granted=("manage_users",)), "clinic-9"
    )
    with pytest.raises(OutsidePractice):
        deactivate_user(outsider, make_user("PT"), catalog=catalog, now=now)


def test_changes_refuse_a_naive_clock(manager, make_user, catalog, now):
    with pytest.raises(ValueError, match="timezone-aware"):
        deactivate_user(manager, make_user("PT"), catalog=catalog, now=now.replace(tzinfo=None))
