"""Profile recognition: is every profile inside a practice one the practice expects?

DOMAIN.md: a profile with the vendor's domain that is neither the automation profile nor
covered by an access grant, or a profile with a domain the practice does not recognize,
is an unrecognized profile and the audit service raises an alert at once.

Domain policy: matching is case-insensitive and exact. A subdomain is a different domain
(``support.vendor.com`` is not ``vendor.com``), because whoever controls a subdomain's
mail is not necessarily the vendor or the practice; a practice lists every domain its
staff use. The vendor's domains win over the practice's list: a vendor employee needs
the automation profile or a grant even if the practice listed the vendor's domain.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from audit.domain.clock import as_utc

MANAGE_USERS = "manage_users"


class Severity(StrEnum):
    LOW = "low"  # recognized, nothing to do
    MEDIUM = "medium"  # look at it today
    HIGH = "high"  # look at it now
    CRITICAL = "critical"  # likely compromise or a bypassed control


@dataclass(frozen=True)
class Recognition:
    recognized: bool
    reason: str  # a stable code for alerts and filters
    message: str  # for the practice's security contact
    severity: Severity
    note: str = ""


@dataclass(frozen=True)
class Profile:
    id: str
    email: str
    full_name: str
    kind: str  # staff, recipient, automation, vendor (the token's `kind`)
    status: str  # active, invited, deactivated


@dataclass(frozen=True)
class Practice:
    id: str
    recognized_domains: frozenset[str]


@dataclass(frozen=True)
class Vendor:
    name: str
    domains: frozenset[str]


@dataclass(frozen=True)
class AccessGrant:
    purpose: str  # e.g. "support", "revenue cycle management"
    starts_at: datetime
    ends_at: datetime
    revoked_at: datetime | None = None

    def is_active(self, now: datetime) -> bool:
        now = as_utc(now, "now")
        if self.revoked_at is not None and as_utc(self.revoked_at, "revoked_at") <= now:
            return False
        return as_utc(self.starts_at, "starts_at") <= now < as_utc(self.ends_at, "ends_at")


@dataclass(frozen=True)
class Creation:
    """Who created the profile; None in its place means the platform itself did."""

    actor_id: str
    held_manage_users: bool


def email_domain(email: str) -> str:
    """The part after the last '@', lower-cased; '' when there is none."""
    _, at, domain = email.strip().rpartition("@")
    return domain.strip().rstrip(".").lower() if at else ""


def _normalized(domains: Iterable[str]) -> frozenset[str]:
    return frozenset(d.strip().rstrip(".").lower() for d in domains)


def is_automation_profile(profile: Profile, vendor: Vendor) -> bool:
    """The vendor's automation profile: vendor domain, 'Automation' in the name, kind automation."""
    return (
        email_domain(profile.email) in _normalized(vendor.domains)
        and "automation" in profile.full_name.casefold()
        and profile.kind == "automation"
    )


def recognize_profile(
    profile: Profile,
    practice: Practice,
    vendor: Vendor,
    grants: Iterable[AccessGrant],
    created_by: Creation | None,
    now: datetime,
) -> Recognition:
    """Decide whether ``profile`` belongs in ``practice``; the most serious finding wins."""
    now = as_utc(now, "now")
    domain = email_domain(profile.email)
    who = f"{profile.full_name} <{profile.email}>"

    if created_by is not None and not created_by.held_manage_users:
        return recognize_creation(profile, created_by)

    if domain in _normalized(vendor.domains):
        if is_automation_profile(profile, vendor):
            return Recognition(
                True,
                "vendor_automation_profile",
                f"{who} is {vendor.name}'s automation profile.",
                Severity.LOW,
            )
        active = [g for g in grants if g.is_active(now)]
        if active:
            grant = max(active, key=lambda g: as_utc(g.ends_at))
            until = as_utc(grant.ends_at).isoformat()
            return Recognition(
                True,
                "vendor_access_grant",
                f"{who} is {vendor.name} staff with an active access grant.",
                Severity.LOW,
                note=f"access grant {grant.purpose} until {until}",
            )
        return _alert(
            "vendor_profile_without_grant",
            f"{who} has {vendor.name}'s domain but is neither its automation profile "
            "nor covered by an active access grant.",
            Severity.HIGH,
        )

    if profile.kind == "recipient":
        # Document-portal recipients (physicians, attorneys) are outside the practice by
        # design; their access is bound to the shares sent to them, not to a domain.
        return Recognition(
            True, "external_recipient", f"{who} is a document-portal recipient.", Severity.LOW
        )

    if domain and domain in _normalized(practice.recognized_domains):
        return Recognition(
            True, "practice_domain", f"{who} uses one of the practice's domains.", Severity.LOW
        )

    return _alert(
        "unrecognized_domain",
        f"{who} uses the domain {domain or '(none)'}, which the practice does not recognize.",
        Severity.HIGH,
    )


def recognize_creation(profile: Profile, created_by: Creation) -> Recognition:
    """A profile is created by a User Manager (someone holding manage_users), or it is an alert."""
    who = f"{profile.full_name} <{profile.email}>"
    if created_by.held_manage_users:
        return Recognition(True, "created_by_user_manager",
                           f"{who} was created by a User Manager.", Severity.LOW)
    # The identity service should have refused this; an alert means a bypassed check.
    return _alert(
        "created_without_manage_users",
        f"{who} was created by {created_by.actor_id}, who does not hold manage_users.",
        Severity.CRITICAL,
    )


def _alert(reason: str, message: str, severity: Severity) -> Recognition:
    return Recognition(False, reason, message, severity)
