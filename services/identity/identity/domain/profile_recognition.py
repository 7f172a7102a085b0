"""Whether the practice recognizes a profile on its user list (seeds/002: "profiles you
don't recognize"), as the User Manager's console shows it.

The same reading audit applies when it raises its alert (audit's recognition module): the
vendor's domain is recognized only for its automation profile or a vendor employee under
an active access grant; any other profile must use one of the practice's recognized
domains. Matching is exact and case-insensitive: a subdomain is another domain. Identity
judges with what it owns (users, grants, domains) and never asks audit; audit keeps the
alert and its history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from identity.domain.automation import is_automation_profile
from identity.domain.grants import VendorAccessGrant
from identity.domain.practices import Practice
from identity.domain.users import User


class ProfileKind(StrEnum):
    VENDOR_AUTOMATION = "vendor_automation"  # the vendor's automation profile
    VENDOR_STAFF = "vendor_staff"  # a vendor employee under an active access grant
    PRACTICE_STAFF = "practice_staff"  # a domain the practice recognizes
    UNRECOGNIZED = "unrecognized"


@dataclass(frozen=True)
class ProfileRecognition:
    kind: ProfileKind
    domain: str
    grant: VendorAccessGrant | None = None  # the active grant that covers a vendor employee
    # Why an unrecognized profile is one, in audit's alert codes: "unrecognized_domain" or
    # "vendor_profile_without_grant".
    reason: str | None = None

    @property
    def recognized(self) -> bool:
        return self.kind is not ProfileKind.UNRECOGNIZED


def email_domain(email: str) -> str:
    """The part after the last '@', lower-cased; '' when there is none."""
    _, at, domain = email.strip().rpartition("@")
    return domain.strip().rstrip(".").lower() if at else ""


def recognize_profile(user: User, practice: Practice, *, vendor_domain: str,
                      grants: list[VendorAccessGrant], now: datetime) -> ProfileRecognition:
    """Judge one profile; ``grants`` are the practice's access grants (any state)."""
    domain = email_domain(user.email)
    vendor = vendor_domain.strip().lstrip("@").lower()
    if domain == vendor:
        if is_automation_profile(user, vendor_domain):
            return ProfileRecognition(ProfileKind.VENDOR_AUTOMATION, domain)
        active = [g for g in grants if g.user_id == user.id and g.is_active(now)]
        if active:
            return ProfileRecognition(ProfileKind.VENDOR_STAFF, domain,
                                      max(active, key=lambda g: g.ends_at))
        return ProfileRecognition(ProfileKind.UNRECOGNIZED, domain,
                                  reason="vendor_profile_without_grant")
    recognized = {d.strip().rstrip(".").lower() for d in practice.recognized_domains}
    if domain and domain in recognized:
        return ProfileRecognition(ProfileKind.PRACTICE_STAFF, domain)
    return ProfileRecognition(ProfileKind.UNRECOGNIZED, domain, reason="unrecognized_domain")
