"""The signed-in caller, as the service layer wants it."""

from __future__ import annotations

from notes.service_layer.callers import Caller
from servicekit.auth import current_principal
from servicekit.web.errors import Forbidden

# Practice staff only: recipients, vendors and the automation profile have no use here yet.
STAFF = ("staff",)


def caller() -> Caller:
    principal = current_principal()
    if not principal.org_id:
        raise Forbidden("This needs an account of a practice.", code="no_practice")
    return Caller(user_id=principal.user_id, org_id=principal.org_id, kind=principal.kind,
                  email=principal.email, user_type=principal.user_type,
                  permissions=principal.permissions)
