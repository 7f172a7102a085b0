"""What each grant scope lets a vendor employee do inside a practice: reads only."""

from __future__ import annotations

from dataclasses import replace

import pytest

from identity.domain.errors import InvalidRequest, UserTypeChangeNeedsSupport
from identity.domain.permissions import (
    DELETE_TRANSACTIONS,
    EDIT_PATIENTS,
    FINISH_NOTES,
    FORWARD_NOTES,
    MANAGE_USERS,
    SHARE_DOCUMENTS,
    START_NOTES,
    VIEW_AUDIT,
    VIEW_PATIENTS,
)
from identity.domain.profile_changes import change_user_type
from identity.domain.vendor_support import GRANT_SCOPES, GrantScope, scope_named

NEVER_FOR_A_VENDOR = {EDIT_PATIENTS, START_NOTES, FORWARD_NOTES, FINISH_NOTES,
                      DELETE_TRANSACTIONS, MANAGE_USERS, SHARE_DOCUMENTS, VIEW_AUDIT}


@pytest.mark.parametrize("scope", list(GrantScope))
def test_no_scope_holds_a_write_an_admin_power_sharing_or_the_audit(scope):
    assert GRANT_SCOPES[scope].permissions.isdisjoint(NEVER_FOR_A_VENDOR)


def test_revenue_cycle_reads_patients_notes_and_charges():
    # notes serves patients, notes, billing codes and transactions behind view_patients.
    assert GRANT_SCOPES[GrantScope.REVENUE_CYCLE].permissions == {VIEW_PATIENTS}


def test_support_keeps_its_fixed_set():
    assert GRANT_SCOPES[GrantScope.SUPPORT].permissions == {VIEW_PATIENTS}


def test_every_scope_has_its_rules():
    assert set(GRANT_SCOPES) == set(GrantScope)


def test_an_unknown_scope_is_refused_with_the_list_of_scopes():
    with pytest.raises(InvalidRequest, match="support, revenue_cycle"):
        scope_named("billing_everything")


def test_revenue_cycle_staff_cannot_change_a_user_type(vendor_support, make_user, catalog,
                                                       now):
    billing = replace(vendor_support, access_grant=replace(
        vendor_support.access_grant, scope=GrantScope.REVENUE_CYCLE))
    with pytest.raises(UserTypeChangeNeedsSupport, match="revenue_cycle"):
        change_user_type(billing, make_user("PTA"), "PT", catalog=catalog, now=now)


def test_only_support_sees_the_users_permissions(vendor_support, catalog, now):
    assert vendor_support.sees_permissions(catalog, now)
    billing = replace(vendor_support, access_grant=replace(
        vendor_support.access_grant, scope=GrantScope.REVENUE_CYCLE))
    assert not billing.sees_permissions(catalog, now)
