"""Server-rendered pages' sessions, kept in the service's own database.

The browser holds only a random id. A row is found by the SHA-256 of the id, and its data
(the service's tokens among it) is sealed with AES-GCM under a key derived from the id and
the service's session secret. So a copy of the table alone opens no session and reads no
token, a copied cookie works only while its row exists (sign-out deletes it), and the cookie
itself carries nothing readable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, Engine, MetaData, String, Table, Text, delete, select, update

from servicekit.db import UTCDateTime

#: What a session id looks like (secrets.token_urlsafe(32)); anything else is never looked up.
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def page_sessions_table(name: str, metadata: MetaData) -> Table:
    """The sessions table every service with pages keeps (its migration creates the same)."""
    return Table(
        name, metadata,
        Column("id_hash", String(64), primary_key=True),
        Column("data", Text, nullable=False),
        Column("signed_in_as", String(64), nullable=True, index=True),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("expires_at", UTCDateTime(), nullable=False, index=True),
    )


class SealedSessionStore:
    """Sessions in ``table`` (see page_sessions_table), sealed per session id."""

    def __init__(self, engine: Engine, table: Table, secret: str, lifetime: timedelta,
                 *, purpose: bytes = b"portal-session:") -> None:
        self.engine, self.table, self.lifetime = engine, table, lifetime
        self._secret, self._purpose = secret.encode(), purpose

    def load(self, session_id: str, now: datetime) -> dict[str, Any] | None:
        """The session's data, or None when the id is unknown, expired or not ours."""
        if not SESSION_ID.match(session_id):
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                select(self.table.c.data, self.table.c.expires_at)
                .where(self.table.c.id_hash == _row_key(session_id))
            ).first()
        if row is None or row.expires_at <= now:
            return None
        return self._open(session_id, row.data)

    def save(self, session_id: str, data: dict[str, Any], *, signed_in_as: str | None,
             now: datetime) -> None:
        """Write the session (a new one, or the same id again); its lifetime starts anew."""
        values = {"data": self._seal(session_id, data), "signed_in_as": signed_in_as,
                  "expires_at": now + self.lifetime}
        key, table = _row_key(session_id), self.table
        with self.engine.begin() as conn:
            updated = conn.execute(update(table).where(table.c.id_hash == key).values(**values))
            if updated.rowcount == 0:
                # Sessions nobody ended (a closed browser) go when a new one starts.
                conn.execute(delete(table).where(table.c.expires_at <= now))
                conn.execute(table.insert().values(id_hash=key, created_at=now, **values))

    def delete(self, session_id: str) -> None:
        if not SESSION_ID.match(session_id):
            return
        with self.engine.begin() as conn:
            conn.execute(delete(self.table).where(self.table.c.id_hash == _row_key(session_id)))

    def _key(self, session_id: str) -> AESGCM:
        return AESGCM(hmac.new(self._secret, self._purpose + session_id.encode(),
                               hashlib.sha256).digest())

    def _seal(self, session_id: str, data: dict[str, Any]) -> str:
        nonce = os.urandom(12)
        sealed = self._key(session_id).encrypt(nonce, json.dumps(data).encode(), None)
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def _open(self, session_id: str, sealed: str) -> dict[str, Any] | None:
        raw = base64.urlsafe_b64decode(sealed.encode())
        try:
            opened = self._key(session_id).decrypt(raw[:12], raw[12:], None)
        except InvalidTag:
            return None  # sealed under another secret (rotated): sign in again
        data: dict[str, Any] = json.loads(opened)
        return data


def _row_key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()
