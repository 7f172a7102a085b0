"""The vendor's automation profile, one per practice.

It is how the vendor's automation acts inside a practice, so it must stay active; it
is not a person, so it never takes a licensed seat. Vendor name and email domain come
from configuration, not from the practice.
"""

from __future__ import annotations

from identity.domain.catalog import AUTOMATION, UserTypeCatalog
from identity.domain.errors import InvalidRequest
from identity.domain.users import User, UserKind, normalize_email


def automation_profile(
    *,
    user_id: str,
    practice_id: str,
    vendor_name: str,
    vendor_domain: str,
    catalog: UserTypeCatalog,
) -> User:
    """Build the practice's automation profile: '<Vendor> Automation' at the vendor domain."""
    if not vendor_name.strip():
        raise InvalidRequest("Configure the vendor name before creating automation profiles.")
    automation_types = [t for t in catalog if t.category == AUTOMATION]
    if not automation_types:
        raise InvalidRequest("The user type catalog has no automation type; add one.")
    # The practice id in the local part keeps the address unique across practices.
    email = normalize_email(f"automation+{practice_id}@{vendor_domain.strip().lstrip('@')}")
    return User(
        id=user_id,
        practice_id=practice_id,
        email=email,
        full_name=f"{vendor_name.strip()} Automation",
        user_type=automation_types[0].code,
        kind=UserKind.AUTOMATION,
    )


def is_automation_profile(user: User, vendor_domain: str) -> bool:
    """The automation kind, the vendor's domain and 'Automation' in the name, all three."""
    domain = vendor_domain.strip().lstrip("@").lower()
    return (
        user.kind is UserKind.AUTOMATION
        and user.email.lower().endswith("@" + domain)
        and "automation" in user.full_name.lower()
    )
