"""What a vendor employee may do inside a practice, by the scope of the grant that lets them in.

A grant names why the vendor is there (its scope) and this table says what that needs; the
access token carries the scope's permissions, so every service decides from ``perms`` alone.

- **support** looks at what the practice sees in order to fix it: ``view_patients``, sees
  the users' permissions, and is the only one who changes a user type (a practice cannot;
  it needs the grant itself, not a permission).
- **revenue cycle** works the practice's billing: reads patients, notes, billing codes and
  charges (all behind ``view_patients``), reads the practice's people without their
  permissions, and changes nothing.

Every read either makes still emits its access event for the audit. No scope ever holds
a write permission, ``manage_users`` (the practice runs its own users),
``share_documents`` or ``view_audit``: the audit service reads a vendor token holding
``view_audit`` as the vendor's security role over every practice, which a grant for one
practice must never become. Outside a grant (the vendor's own directory) a vendor holds
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from identity.domain.errors import InvalidRequest
from identity.domain.permissions import VIEW_PATIENTS


class GrantScope(StrEnum):
    SUPPORT = "support"
    REVENUE_CYCLE = "revenue_cycle"


@dataclass(frozen=True)
class ScopeRules:
    """What a grant of one scope lets its vendor employee do in the practice."""

    permissions: frozenset[str]
    sees_user_permissions: bool = False
    changes_user_types: bool = False


GRANT_SCOPES: Mapping[GrantScope, ScopeRules] = MappingProxyType({
    GrantScope.SUPPORT: ScopeRules(frozenset({VIEW_PATIENTS}), sees_user_permissions=True,
                                   changes_user_types=True),
    GrantScope.REVENUE_CYCLE: ScopeRules(frozenset({VIEW_PATIENTS})),
})

VENDOR_SUPPORT_PERMISSIONS: frozenset[str] = GRANT_SCOPES[GrantScope.SUPPORT].permissions


def scope_named(name: str) -> GrantScope:
    """The scope called ``name``; refused with the list of scopes otherwise."""
    try:
        return GrantScope(name)
    except ValueError:
        raise InvalidRequest(
            f"There is no access scope {name!r}. Pick one of: "
            f"{', '.join(s.value for s in GrantScope)}.",
            {"scope": name, "scopes": [s.value for s in GrantScope]}) from None
