"""The recipient pages' sessions, kept server-side in docportal's database.

servicekit.web.pages.store keeps them (random id in the cookie, the row found by its SHA-256,
the data sealed under a key derived from the id and PORTAL_SESSION_SECRET); this names the
table they live in.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from docportal.adapters.tables import portal_sessions
from servicekit.web.pages import SESSION_ID, SealedSessionStore, new_session_id

__all__ = ["SESSION_ID", "PortalSessionStore", "new_session_id"]


class PortalSessionStore(SealedSessionStore):
    def __init__(self, engine: Engine, secret: str, lifetime: timedelta) -> None:
        super().__init__(engine, portal_sessions, secret, lifetime)
