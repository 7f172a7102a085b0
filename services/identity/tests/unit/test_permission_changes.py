from dataclasses import replace

import pytest

from identity.domain.errors import (
    AcknowledgementRequired,
    AutomationProfileProtected,
    CannotGrantUnheldPermission,
    CannotPromoteSelf,
    NotAUserManager,
    WrongClinicForBillingUser,
)
from identity.domain.practices import BillingIntegration
from identity.domain.profile_changes import (
    change_permissions,
)
from identity.domain.users import Actor, UserKind


def test_only_a_user_manager_changes_permissions(make_user, catalog, practice, now):
    plain_pt = Actor(make_user("PT"), "clinic-1")
    with pytest.raises(NotAUserManager, match="Ask an Admin"):
        change_permissions(
            plain_pt,
            make_user("PTA"),
            revoke=["edit_patients"],
            practice=practice,
            catalog=catalog,
            now=now,
        )


def test_nobody_grants_a_permission_they_do_not_hold(manager, make_user, catalog, practice, now):
    with pytest.raises(CannotGrantUnheldPermission) as refused:
        change_permissions(
            manager,
            make_user("PT"),
            grant=["view_audit"],
            practice=practice,
            catalog=catalog,
            now=now,
        )
    assert refused.value.details["not_held"] == ["view_audit"]


def test_a_manager_grants_permissions_they_hold(manager, make_user, catalog, practice, now):
    change = change_permissions(
        manager,
        make_user("Front Office"),
        grant=["manage_users"],
        practice=practice,
        catalog=catalog,
        now=now,
    )
    assert "manage_users" in change.permissions_after


def test_nobody_edits_themselves_into_manage_users(manager, catalog, practice, now):
    with pytest.raises(CannotPromoteSelf, match="Ask another Admin"):
        change_permissions(
            manager,
            manager.user,
            grant=["manage_users"],
            practice=practice,
            catalog=catalog,
            now=now,
        )


def test_every_change_returns_before_after_and_the_next_permission_version(
    manager, make_user, catalog, practice, now
):
    target = make_user("PT", permission_version=7)
    change = change_permissions(
        manager,
        target,
        grant=["manage_users"],
        revoke=["delete_transactions"],
        practice=practice,
        catalog=catalog,
        now=now,
    )
    assert change.permissions_before == target.permissions(catalog)
    assert change.permissions_after == change.user.permissions(catalog)
    assert change.granted == {"manage_users"}
    assert change.revoked == {"delete_transactions"}
    assert change.permission_version == 8 == change.user.permission_version
    assert change.action == "permissions_changed"


def test_a_billing_user_is_edited_only_from_their_default_clinic(
    manager, make_user, catalog, practice, now
):
    billing = make_user("Billing", default_clinic_id="clinic-2")
    with pytest.raises(WrongClinicForBillingUser, match="Switch to that clinic"):
        change_permissions(
            manager, billing, revoke=["edit_patients"], practice=practice, catalog=catalog, now=now
        )
    at_home_clinic = Actor(manager.user, acting_clinic_id="clinic-2")
    change = change_permissions(
        at_home_clinic,
        billing,
        revoke=["edit_patients"],
        practice=practice,
        catalog=catalog,
        now=now,
    )
    assert "edit_patients" not in change.permissions_after


def test_other_types_are_edited_from_any_clinic(manager, make_user, catalog, practice, now):
    front_office = make_user("Front Office", default_clinic_id="clinic-2")
    change = change_permissions(
        manager, front_office, revoke=["edit_patients"], practice=practice, catalog=catalog, now=now
    )
    assert "edit_patients" not in change.permissions_after


def test_finish_notes_for_an_assistant_without_acknowledgement_is_refused(
    manager, make_user, catalog, practice, now
):
    assistant = make_user("PTA")
    with pytest.raises(AcknowledgementRequired, match="Yes, I understand"):
        change_permissions(
            manager, assistant, grant=["finish_notes"], practice=practice, catalog=catalog, now=now
        )
    assert "finish_notes" not in assistant.permissions(catalog)


def test_acknowledged_finish_notes_for_an_assistant_is_granted(
    manager, make_user, catalog, practice, now
):
    change = change_permissions(
        manager,
        make_user("COTA"),
        grant=["finish_notes"],
        acknowledged=True,
        practice=practice,
        catalog=catalog,
        now=now,
    )
    assert "finish_notes" in change.permissions_after
    assert change.notices == ()


def test_finish_notes_for_an_assistant_warns_when_billing_does_not_list_them(
    manager, make_user, catalog, practice, now
):
    assistant = make_user("PTA", user_id="pta-1")
    integrated = replace(
        practice, billing_integration=BillingIntegration("ClaimPro", frozenset({"someone-else"}))
    )
    change = change_permissions(
        manager,
        assistant,
        grant=["finish_notes"],
        acknowledged=True,
        practice=integrated,
        catalog=catalog,
        now=now,
    )
    [notice] = change.notices
    assert "provider (a paid licence) in ClaimPro" in notice.message
    assert "will not flow to billing" in notice.message


def test_no_billing_warning_when_the_assistant_is_already_a_provider(
    manager, make_user, catalog, practice, now
):
    integrated = replace(
        practice, billing_integration=BillingIntegration("ClaimPro", frozenset({"pta-1"}))
    )
    change = change_permissions(
        manager,
        make_user("PTA", user_id="pta-1"),
        grant=["finish_notes"],
        acknowledged=True,
        practice=integrated,
        catalog=catalog,
        now=now,
    )
    assert change.notices == ()


def test_finish_notes_for_a_therapist_needs_no_acknowledgement(
    manager, make_user, catalog, practice, now
):
    therapist = make_user("OT", revoked=("finish_notes",))
    change = change_permissions(
        manager, therapist, grant=["finish_notes"], practice=practice, catalog=catalog, now=now
    )
    assert "finish_notes" in change.permissions_after


def test_the_automation_profile_keeps_its_permissions(manager, make_user, catalog, practice, now):
    automation = make_user("Automation", kind=UserKind.AUTOMATION)
    with pytest.raises(AutomationProfileProtected):
        change_permissions(
            manager,
            automation,
            revoke=["view_patients"],
            practice=practice,
            catalog=catalog,
            now=now,
        )
