"""The signed-in caller, as the service layer wants it."""

from __future__ import annotations

from audit.domain.scope import Scope
from audit.service_layer.callers import read_scope
from servicekit.auth import current_principal
from servicekit.messaging.envelope import Actor


def caller_scope(org_id: str | None = None) -> Scope:
    """The records the caller may read (``org_id``: narrowed to one practice)."""
    return read_scope(current_principal(), org_id)


def caller_actor() -> Actor:
    principal = current_principal()
    return Actor(id=principal.user_id, email=principal.email, kind=principal.kind,
                 user_type=principal.user_type)
