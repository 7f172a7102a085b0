"""The signed-in caller, as the service layer wants it."""

from __future__ import annotations

from notes.service_layer.callers import Caller
from servicekit.auth import current_principal
from servicekit.web.errors import Forbidden

# Writes: practice staff only (recipients, vendors and the automation profile write nothing).
STAFF = ("staff",)
# Reads: staff, and vendor staff under an access grant. A vendor's token carries exactly the
# permissions its grant's scope gives (identity's domain/vendor_support.py, never a write
# permission), identity ends its session when the grant is revoked, and the token expires
# with the grant; every read emits its access event naming the vendor (actor kind vendor).
READERS = ("staff", "vendor")


def caller() -> Caller:
    principal = current_principal()
    if not principal.org_id:
        raise Forbidden("This needs an account of a practice.", code="no_practice")
    return Caller(user_id=principal.user_id, org_id=principal.org_id, kind=principal.kind,
                  email=principal.email, user_type=principal.user_type,
                  permissions=principal.permissions)
