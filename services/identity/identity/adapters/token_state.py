"""Identity's answer to "was this token revoked?": read from its own users and sessions.

The other services project the same facts from identity's events (servicekit.token_state);
identity holds the facts themselves, so it refuses a revoked token at once.
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from identity.adapters.tables import refresh_families, service_accounts, users
from servicekit.auth import Principal
from servicekit.token_state import SESSION_ENDED, TOKEN_OUTDATED


class IdentityTokenState:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def refusal(self, principal: Principal) -> str | None:
        with self.engine.connect() as conn:
            current = conn.execute(
                select(users.c.permission_version).where(users.c.id == principal.user_id)
            ).scalar_one_or_none()
            if current is None and principal.kind == "service":
                # A service account's version rises when its secret is rotated or it is revoked.
                current = conn.execute(
                    select(service_accounts.c.version)
                    .where(service_accounts.c.id == principal.user_id)
                ).scalar_one_or_none()
            if current is not None and current > principal.permission_version:
                return TOKEN_OUTDATED
            if principal.session_id and conn.execute(
                select(refresh_families.c.id).where(
                    refresh_families.c.id == principal.session_id,
                    refresh_families.c.revoked_at.is_not(None))
            ).first():
                return SESSION_ENDED
        return None
