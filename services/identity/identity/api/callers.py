"""The signed-in caller, as the service layer wants it."""

from __future__ import annotations

from identity.service_layer.callers import Caller
from servicekit.auth import current_principal
from servicekit.web.errors import Forbidden


def caller(acting_clinic_id: str | None = None) -> Caller:
    principal = current_principal()
    if not principal.org_id:
        raise Forbidden("This needs an account of a practice.", code="no_practice")
    return Caller(principal.user_id, principal.org_id, acting_clinic_id)
