"""seeds/002 as the User Manager's console shows it: the vendor's automation profile, vendor
staff under an active grant and the practice's own domains are recognized; anything else is
flagged, as audit's alert does."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from identity.domain.grants import VendorAccessGrant
from identity.domain.profile_recognition import ProfileKind, recognize_profile
from identity.domain.users import User, UserKind

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
PRACTICE_ID = "practice-1"
VENDOR = "clinicplatform.example"


@pytest.fixture
def harbour(practice):
    return replace(practice, recognized_domains=frozenset({"harbourphysio.example"}))


def person(email: str, kind: UserKind = UserKind.STAFF, name: str = "Sam Lee") -> User:
    return User("u-1", PRACTICE_ID, email, name, "PT", kind=kind)


def grant(ends_in: timedelta, *, revoked: bool = False) -> VendorAccessGrant:
    return VendorAccessGrant(
        id="g-1", practice_id=PRACTICE_ID, user_id="u-1", purpose="Ticket 4411",
        starts_at=NOW - timedelta(days=1), ends_at=NOW + ends_in, granted_by="admin",
        granted_at=NOW - timedelta(days=1), revoked_at=NOW - timedelta(minutes=1)
        if revoked else None)


def judge(user: User, practice, grants=()):
    return recognize_profile(user, practice, vendor_domain=VENDOR, grants=list(grants), now=NOW)


def test_the_vendors_automation_profile_is_recognized(harbour):
    automation = person(f"automation+p@{VENDOR}", UserKind.AUTOMATION, "Clinic Platform Automation")
    assert judge(automation, harbour).kind is ProfileKind.VENDOR_AUTOMATION


def test_vendor_staff_are_recognized_only_under_an_active_grant(harbour):
    support = person(f"sam@{VENDOR}", UserKind.VENDOR)
    covered = judge(support, harbour, [grant(timedelta(hours=2))])
    assert covered.kind is ProfileKind.VENDOR_STAFF and covered.grant.purpose == "Ticket 4411"
    for grants in ([], [grant(-timedelta(minutes=1))], [grant(timedelta(hours=2), revoked=True)]):
        found = judge(support, harbour, grants)
        assert not found.recognized and found.reason == "vendor_profile_without_grant"


def test_a_staff_profile_with_the_vendors_domain_but_no_automation_name_is_flagged(harbour):
    found = judge(person(f"automation+p@{VENDOR}", UserKind.STAFF, "Helper"), harbour)
    assert found.kind is ProfileKind.UNRECOGNIZED


def test_the_practices_own_domain_is_recognized_case_insensitively(harbour):
    found = judge(person("Sam@HarbourPhysio.Example"), harbour)
    assert found.kind is ProfileKind.PRACTICE_STAFF and found.domain == "harbourphysio.example"


@pytest.mark.parametrize("email", ["mallory@elsewhere.example",
                                   "sam@mail.harbourphysio.example", "no-at-sign"])
def test_any_other_domain_is_unrecognized(harbour, email):
    found = judge(person(email), harbour)
    assert not found.recognized and found.reason == "unrecognized_domain"
