"""The email domains a practice recognizes as its own staff's, changed by an Admin.

Audit judges every profile of the practice against this list (an unrecognized domain is an
alert), so a legitimate new domain is fixed here, at the source, and audit re-judges.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from identity.domain import profile_rules as rules
from identity.domain.catalog import UserTypeCatalog
from identity.domain.errors import InvalidRequest
from identity.domain.practices import Practice
from identity.domain.users import Actor

DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
MOST_DOMAINS = 20
LONGEST_DOMAIN = 253  # RFC 1035


def clean_domains(domains: Iterable[str]) -> list[str]:
    """Lower-cased, without a leading @ or blanks, sorted and without repeats."""
    return sorted({d.strip().lower().lstrip("@") for d in domains if d.strip()})


def change_recognized_domains(
    actor: Actor, practice: Practice, domains: Iterable[str], *, vendor_domain: str,
    catalog: UserTypeCatalog, now: datetime,
) -> frozenset[str]:
    """As an Admin (manage_users), replace the practice's recognized domains."""
    rules.require_may_act(actor, practice.id, now)
    rules.require_user_manager(actor, catalog)
    cleaned = clean_domains(domains)
    if not cleaned:
        raise InvalidRequest("Keep at least one domain: the one your staff's email addresses "
                             "end with, like harbourphysio.example.", {"field": "domains"})
    if len(cleaned) > MOST_DOMAINS:
        raise InvalidRequest(f"A practice recognizes at most {MOST_DOMAINS} domains. Remove "
                             "the ones your staff no longer use.",
                             {"field": "domains", "most": MOST_DOMAINS})
    bad = [d for d in cleaned if len(d) > LONGEST_DOMAIN or not DOMAIN.match(d)]
    if bad:
        raise InvalidRequest("Give domains like harbourphysio.example, without a name or @.",
                             {"field": "domains", "not_domains": bad})
    if vendor_domain.strip().lower() in cleaned:
        # Vendor staff enter a practice through access grants; recognizing the vendor's
        # domain would hide a vendor profile that has none.
        raise InvalidRequest("The vendor's domain cannot be one of your practice's: vendor "
                             "staff get in only through an access grant you can see and "
                             "revoke.", {"field": "domains", "vendor_domain": vendor_domain})
    return frozenset(cleaned)
