"""Profile permissions and how a user's effective set is worked out.

Effective permissions are the user type's defaults plus per-user grants minus per-user
revocations. Overrides are kept minimal (a grant of a default is dropped, a revocation
of a non-default is dropped) so that a later change of defaults in the catalog reaches
every user who was never specifically edited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from identity.domain.errors import InvalidRequest, UnknownPermission

VIEW_PATIENTS = "view_patients"
EDIT_PATIENTS = "edit_patients"
START_NOTES = "start_notes"
FORWARD_NOTES = "forward_notes"
FINISH_NOTES = "finish_notes"
DELETE_TRANSACTIONS = "delete_transactions"
MANAGE_USERS = "manage_users"
SHARE_DOCUMENTS = "share_documents"
VIEW_AUDIT = "view_audit"

PERMISSIONS: frozenset[str] = frozenset(
    {
        VIEW_PATIENTS,
        EDIT_PATIENTS,
        START_NOTES,
        FORWARD_NOTES,
        FINISH_NOTES,
        DELETE_TRANSACTIONS,
        MANAGE_USERS,
        SHARE_DOCUMENTS,
        VIEW_AUDIT,
    }
)

# Administrative powers are given to a person, never to a job title.
NEVER_DEFAULT: frozenset[str] = frozenset({MANAGE_USERS, VIEW_AUDIT})


def require_known_permissions(names: Iterable[str]) -> frozenset[str]:
    """Return ``names`` as a frozenset, or raise UnknownPermission naming the strangers."""
    wanted = frozenset(names)
    unknown = sorted(wanted - PERMISSIONS)
    if unknown:
        raise UnknownPermission(
            f"Unknown permission(s): {', '.join(unknown)}. "
            f"Use one of: {', '.join(sorted(PERMISSIONS))}.",
            {"unknown": unknown, "known": sorted(PERMISSIONS)},
        )
    return wanted


@dataclass(frozen=True)
class PermissionOverrides:
    """A user's departures from their type's defaults."""

    granted: frozenset[str] = frozenset()
    revoked: frozenset[str] = frozenset()

    def effective(self, defaults: frozenset[str]) -> frozenset[str]:
        return (defaults | self.granted) - self.revoked

    def changed(
        self, defaults: frozenset[str], grant: frozenset[str], revoke: frozenset[str]
    ) -> PermissionOverrides:
        """Apply a grant/revoke request, keeping the overrides minimal against ``defaults``."""
        both = sorted(grant & revoke)
        if both:
            raise InvalidRequest(
                f"A permission cannot be granted and revoked at once: {', '.join(both)}. "
                "Choose one for each permission.",
                {"conflicting": both},
            )
        granted = (self.granted | grant) - revoke - defaults
        revoked = (self.revoked | revoke) - grant
        return PermissionOverrides(granted=frozenset(granted), revoked=revoked & defaults)
