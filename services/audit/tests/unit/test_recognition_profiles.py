from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from audit.domain.recognition import (
    AccessGrant,
    Creation,
    Practice,
    Profile,
    Severity,
    Vendor,
    email_domain,
    recognize_profile,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
VENDOR = Vendor(name="Acme Clinic Software", domains=frozenset({"vendor.com"}))
PRACTICE = Practice(id="org-1", recognized_domains=frozenset({"sunrise-pt.com", "Sunrise.Health"}))
AUTOMATION = Profile("u-auto", "automation@vendor.com", "Acme Automation", "automation", "active")
STAFF = Profile("u-staff", "dana@sunrise-pt.com", "Dana Reyes", "staff", "active")
SUPPORT = Profile("u-support", "sam@vendor.com", "Sam Support", "vendor", "active")
MANAGER = Creation(actor_id="u-owner", held_manage_users=True)


def grant(purpose="support", start=-1, end=7, revoked=None):
    return AccessGrant(
        purpose,
        NOW + timedelta(days=start),
        NOW + timedelta(days=end),
        None if revoked is None else NOW + timedelta(days=revoked),
    )


def recognize(profile, grants=(), created_by=MANAGER, practice=PRACTICE, now=NOW):
    return recognize_profile(profile, practice, VENDOR, grants, created_by, now)


def test_vendor_automation_profile_is_recognized():
    result = recognize(AUTOMATION, created_by=None)
    assert result.recognized
    assert result.reason == "vendor_automation_profile"
    assert result.severity is Severity.LOW


def test_vendor_profile_named_automation_but_not_of_kind_automation_raises_high_alert():
    impostor = replace(AUTOMATION, kind="staff")
    result = recognize(impostor)
    assert not result.recognized
    assert result.reason == "vendor_profile_without_grant"
    assert result.severity is Severity.HIGH


def test_automation_kind_without_automation_in_name_is_not_the_automation_profile():
    result = recognize(replace(AUTOMATION, full_name="Acme Robot"))
    assert (result.recognized, result.reason) == (False, "vendor_profile_without_grant")


def test_vendor_staff_with_active_grant_is_recognized_and_noted():
    result = recognize(SUPPORT, grants=[grant("revenue cycle management", end=3)])
    assert result.recognized
    assert result.reason == "vendor_access_grant"
    assert result.note == (
        f"access grant revenue cycle management until {(NOW + timedelta(days=3)).isoformat()}"
    )


def test_vendor_staff_note_names_the_grant_that_lasts_longest():
    result = recognize(SUPPORT, grants=[grant("support", end=2), grant("billing review", end=9)])
    assert result.note.startswith("access grant billing review until")


def test_vendor_profile_without_grant_raises_high_alert():
    result = recognize(SUPPORT)
    assert not result.recognized
    assert result.reason == "vendor_profile_without_grant"
    assert result.severity is Severity.HIGH
    assert "sam@vendor.com" in result.message


@pytest.mark.parametrize(
    "expired_grant",
    [grant(start=-10, end=-1), grant(start=1, end=5), grant(revoked=0), grant(revoked=-1)],
    ids=["ended", "not_started", "revoked_now", "revoked_earlier"],
)
def test_vendor_profile_with_only_inactive_grants_raises_high_alert(expired_grant):
    result = recognize(SUPPORT, grants=[expired_grant])
    assert (result.recognized, result.severity) == (False, Severity.HIGH)


def test_grant_that_ends_exactly_now_is_no_longer_active():
    assert not recognize(SUPPORT, grants=[grant(end=0)]).recognized


def test_grant_revoked_in_the_future_is_still_active():
    assert recognize(SUPPORT, grants=[grant(revoked=1)]).recognized


def test_practice_staff_with_recognized_domain_is_recognized():
    result = recognize(STAFF)
    assert (result.recognized, result.reason) == (True, "practice_domain")


def test_profile_with_domain_the_practice_does_not_recognize_raises_alert():
    result = recognize(replace(STAFF, email="dana@gmail.com"))
    assert not result.recognized
    assert result.reason == "unrecognized_domain"
    assert result.severity is Severity.HIGH
    assert "gmail.com" in result.message


def test_domain_matching_ignores_case():
    assert recognize(replace(STAFF, email="Dana@SUNRISE-PT.COM")).recognized
    assert recognize(replace(STAFF, email="dana@sunrise.health")).recognized
    assert recognize(replace(AUTOMATION, email="automation@Vendor.COM")).recognized


def test_lookalike_vendor_domain_is_not_the_vendor():
    result = recognize(replace(AUTOMATION, email="automation@evil-vendor.com"))
    assert (result.recognized, result.reason) == (False, "unrecognized_domain")


def test_subdomain_is_not_recognized_unless_listed():
    assert not recognize(replace(STAFF, email="dana@mail.sunrise-pt.com")).recognized
    assert not recognize(replace(AUTOMATION, email="automation@support.vendor.com")).recognized
    listed = replace(PRACTICE, recognized_domains=frozenset({"mail.sunrise-pt.com"}))
    assert recognize(replace(STAFF, email="dana@mail.sunrise-pt.com"), practice=listed).recognized


def test_domain_is_taken_after_the_last_at_sign():
    assert email_domain('"dana@sunrise-pt.com"@gmail.com') == "gmail.com"
    assert email_domain("no-at-sign") == ""
    assert not recognize(replace(STAFF, email="no-at-sign")).recognized


def test_vendor_domain_listed_by_the_practice_still_needs_a_grant():
    lenient = replace(PRACTICE, recognized_domains=frozenset({"sunrise-pt.com", "vendor.com"}))
    assert recognize(SUPPORT, practice=lenient).reason == "vendor_profile_without_grant"


def test_user_created_by_someone_without_manage_users_raises_critical_alert():
    result = recognize(STAFF, created_by=Creation(actor_id="u-clerk", held_manage_users=False))
    assert not result.recognized
    assert result.reason == "created_without_manage_users"
    assert result.severity is Severity.CRITICAL
    assert "u-clerk" in result.message


def test_document_portal_recipient_is_not_held_to_the_practice_domains():
    recipient = Profile("u-doc", "dr.lee@cityortho.org", "Dr Lee", "recipient", "active")
    assert recognize(recipient, created_by=None).reason == "external_recipient"


def test_recognition_refuses_a_naive_now():
    with pytest.raises(ValueError, match="timezone-aware"):
        recognize(SUPPORT, grants=[grant()], now=datetime(2026, 11, 23, 9, 0))


def test_grant_times_in_another_zone_are_compared_in_utc():
    # Ends 09:30 UTC (04:30 at UTC-5): still active at 09:00 UTC.
    est = timezone(timedelta(hours=-5))
    ends = datetime(2026, 11, 23, 4, 30, tzinfo=est)
    active = AccessGrant("support", NOW - timedelta(hours=1), ends)
    assert recognize(SUPPORT, grants=[active]).recognized
    assert not recognize(SUPPORT, grants=[active], now=NOW + timedelta(minutes=31)).recognized
