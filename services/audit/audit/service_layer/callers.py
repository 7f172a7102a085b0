"""Who may read what: a practice's own records, or every practice for vendor security."""

from __future__ import annotations

from audit.domain.scope import Scope
from audit.service_layer.errors import NoPractice, NotAUserManager, OtherPractice
from servicekit.auth import Principal


def read_scope(principal: Principal, org_id: str | None = None) -> Scope:
    """The caller's practice; the vendor security role sees all.

    The vendor security role is a vendor token with view_audit, or identity's vendor-wide
    security service account (kind ``service``, no practice, view_audit from its
    ``security`` scope). A practice's service account (scope ``view_audit``) reads its own
    practice like a User Manager holding view_audit. The vendor security role may narrow to
    one practice with ``org_id``; anyone else asking for another practice is refused rather
    than silently shown their own.
    """
    if is_vendor_security(principal):
        return Scope(org_id, all_practices=org_id is None)
    if principal.org_id is None:
        raise NoPractice("Your account belongs to no practice, so it has no audit record to "
                         "read.")
    if org_id is not None and org_id != principal.org_id:
        raise OtherPractice("You can read the audit record of your own practice only.")
    return Scope(principal.org_id)


def is_vendor_security(principal: Principal) -> bool:
    if not principal.has("view_audit"):
        return False
    return principal.kind == "vendor" or (principal.kind == "service"
                                          and principal.org_id is None)


def user_managers_practice(principal: Principal) -> str:
    """The webhook is the practice's own: a User Manager of it (view_audit and manage_users)."""
    if principal.kind != "staff" or principal.org_id is None \
            or not principal.has("manage_users"):
        raise NotAUserManager("Only a User Manager of the practice (manage_users) sets its "
                              "alert webhook; ask one of them.")
    return principal.org_id
