from datetime import timedelta

import pytest

from identity.domain.errors import (
    GrantTooLong,
    InvalidRequest,
    NotAllowed,
    SelfGrantRefused,
    StateConflict,
)
from identity.domain.grants import (
    MAX_GRANT_LENGTH,
    PracticeUserManager,
    VendorStaffMember,
    grant_vendor_access,
    revoke_vendor_access,
)
from identity.domain.vendor_support import GrantScope

SUPPORT_ADMIN = VendorStaffMember("admin-1", "lee@vendor.example", is_support_admin=True)
SUPPORT_AGENT = VendorStaffMember("agent-1", "sam@vendor.example")


def grant(now, **overrides):
    arguments = dict(
        grant_id="grant-1",
        granted_by=SUPPORT_ADMIN,
        grantee=SUPPORT_AGENT,
        practice_id="practice-1",
        purpose="Ticket 4411: billing sheet codes",
        starts_at=now,
        ends_at=now + timedelta(hours=4),
        now=now,
    )
    arguments.update(overrides)
    return grant_vendor_access(**arguments)


def test_a_grant_records_who_why_when_and_by_whom(now):
    access = grant(now)
    assert (access.user_id, access.granted_by) == ("agent-1", "admin-1")
    assert access.purpose == "Ticket 4411: billing sheet codes"
    assert access.granted_at == now


def test_a_grant_needs_a_purpose(now):
    with pytest.raises(InvalidRequest, match="Say why access is needed"):
        grant(now, purpose="   ")


@pytest.mark.parametrize("length", [timedelta(0), timedelta(hours=-1)])
def test_a_grant_must_end_after_it_starts(now, length):
    with pytest.raises(InvalidRequest, match="end after it starts"):
        grant(now, ends_at=now + length)


def test_only_a_vendor_support_admin_grants_access(now):
    with pytest.raises(NotAllowed, match="support admin"):
        grant(now, granted_by=SUPPORT_AGENT)


def test_a_grant_works_only_between_its_start_and_end(now):
    access = grant(now, starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    assert not access.is_active(now)
    assert access.is_active(now + timedelta(hours=1))
    assert access.is_active(now + timedelta(hours=2) - timedelta(microseconds=1))
    assert not access.is_active(now + timedelta(hours=2))


def test_a_revoked_grant_stops_at_once(now):
    revoked = revoke_vendor_access(grant(now), SUPPORT_ADMIN, now + timedelta(minutes=5))
    assert revoked.is_active(now + timedelta(minutes=4))
    assert not revoked.is_active(now + timedelta(minutes=5))


def test_only_a_support_admin_revokes_and_only_once(now):
    with pytest.raises(NotAllowed):
        revoke_vendor_access(grant(now), SUPPORT_AGENT, now)
    revoked = revoke_vendor_access(grant(now), SUPPORT_ADMIN, now)
    with pytest.raises(StateConflict):
        revoke_vendor_access(revoked, SUPPORT_ADMIN, now)


def test_a_grant_covers_only_its_grantee_in_its_practice(now):
    access = grant(now)
    assert access.covers("agent-1", "practice-1", now)
    assert not access.covers("someone-else", "practice-1", now)
    assert not access.covers("agent-1", "practice-2", now)


def test_grant_checks_refuse_a_naive_clock(now):
    with pytest.raises(ValueError, match="timezone-aware"):
        grant(now).is_active(now.replace(tzinfo=None))


def test_a_grant_lasts_at_most_thirty_days(now):
    assert MAX_GRANT_LENGTH.days == 30
    assert grant(now, ends_at=now + timedelta(days=30)).ends_at == now + timedelta(days=30)
    with pytest.raises(GrantTooLong, match="at most 30 days"):
        grant(now, ends_at=now + timedelta(days=30, seconds=1))
    with pytest.raises(GrantTooLong):
        grant(now, ends_at=now + timedelta(days=365 * 100))


def test_the_thirty_days_count_from_the_start_not_from_now(now):
    later = now + timedelta(days=10)
    assert grant(now, starts_at=later, ends_at=later + timedelta(days=30)).is_active(
        later + timedelta(days=29))
    with pytest.raises(GrantTooLong):
        grant(now, starts_at=now - timedelta(days=5), ends_at=now + timedelta(days=26))


def test_a_support_admin_never_grants_access_to_themselves(now):
    with pytest.raises(SelfGrantRefused, match="Nobody grants access to themselves"):
        grant(now, grantee=SUPPORT_ADMIN)


def test_a_grant_records_its_scope_support_by_default(now):
    assert grant(now).scope is GrantScope.SUPPORT
    assert grant(now, scope=GrantScope.REVENUE_CYCLE).scope is GrantScope.REVENUE_CYCLE


def test_the_practices_user_manager_revokes_a_grant_into_their_practice(now):
    manager = PracticeUserManager("owner-1", "practice-1")
    revoked = revoke_vendor_access(grant(now), manager, now + timedelta(minutes=1))
    assert revoked.revoked_by == "owner-1"
    assert not revoked.is_active(now + timedelta(minutes=1))


def test_a_user_manager_of_another_practice_cannot_revoke_the_grant(now):
    with pytest.raises(NotAllowed, match="another practice"):
        revoke_vendor_access(grant(now), PracticeUserManager("owner-2", "practice-2"), now)
