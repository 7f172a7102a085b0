"""Flask's ``session`` for the recipient pages, kept in docportal's database.

The cookie (``clinic_portal``, HttpOnly, SameSite=Lax, Secure where configured, path /portal)
holds only a random id; see adapters/portal_sessions.py for how the row is kept. A session is
read on first use, not for every request (the API never touches it), and written only when it
changed. ``rotate`` gives it a new id and deletes the old row: signing in and out do, so a
cookie copied before either opens nothing afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Request, Response, request
from flask.sessions import SessionInterface, SessionMixin

from docportal.adapters.portal_sessions import PortalSessionStore, new_session_id

#: The data key naming the signed-in account (kept in a column for operators too).
SIGNED_IN_AS = "recipient_id"


class PortalSession(SessionMixin):
    """A session whose data is loaded from the store the first time it is read."""

    def __init__(self, store: PortalSessionStore, session_id: str | None) -> None:
        self.store, self.session_id = store, session_id
        self._data: dict | None = None
        self.modified = False
        self.rotate = False

    @property
    def data(self) -> dict:
        if self._data is None:
            self.accessed = True
            found = (self.store.load(self.session_id, datetime.now(UTC))
                     if self.session_id else None)
            if found is None:
                self.session_id = None  # unknown, expired or ended: never written back
            self._data = found or {}
        return self._data

    @property
    def loaded(self) -> bool:
        return self._data is not None

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.data[key] = value
        self.modified = True

    def __delitem__(self, key: str) -> None:
        del self.data[key]
        self.modified = True

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


class PortalSessionInterface(SessionInterface):
    def __init__(self, store: PortalSessionStore) -> None:
        self.store = store

    def open_session(self, app: Flask, request: Request) -> PortalSession:
        return PortalSession(self.store, request.cookies.get(self.get_cookie_name(app)))

    def save_session(self, app: Flask, session: PortalSession,  # type: ignore[override]
                     response: Response) -> None:
        if not session.loaded or not (session.modified or session.rotate):
            return
        previous = session.session_id
        if previous and (session.rotate or not session.data):
            self.store.delete(previous)
            session.session_id = None
        if not session.data:
            if self.get_cookie_name(app) in request.cookies:
                self._forget_cookie(app, response)
            return
        session.session_id = session.session_id or new_session_id()
        self.store.save(session.session_id, dict(session.data),
                        signed_in_as=session.data.get(SIGNED_IN_AS), now=datetime.now(UTC))
        response.set_cookie(
            self.get_cookie_name(app), session.session_id,
            path=self.get_cookie_path(app), httponly=self.get_cookie_httponly(app),
            secure=self.get_cookie_secure(app), samesite=self.get_cookie_samesite(app),
            domain=self.get_cookie_domain(app),
        )
        response.vary.add("Cookie")

    def _forget_cookie(self, app: Flask, response: Response) -> None:
        response.delete_cookie(
            self.get_cookie_name(app), path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app), samesite=self.get_cookie_samesite(app),
            httponly=self.get_cookie_httponly(app), domain=self.get_cookie_domain(app),
        )
        response.vary.add("Cookie")

