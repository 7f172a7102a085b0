"""Flask's ``session`` for a service's pages, kept in its database (store.py).

The cookie (HttpOnly, SameSite=Lax, Secure where configured, the pages' path only) holds only
a random id. A session is read on first use, not for every request (the API never touches
it), and written only when it changed. ``rotate`` gives it a new id and deletes the old row:
signing in and out do, so a cookie copied before either opens nothing afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Request, Response, request, session
from flask.sessions import SessionInterface, SessionMixin

from servicekit.web.pages.store import SealedSessionStore, new_session_id


class PageSession(SessionMixin):
    """A session whose data is loaded from the store the first time it is read."""

    def __init__(self, store: SealedSessionStore, session_id: str | None) -> None:
        self.store, self.session_id = store, session_id
        self._data: dict[str, Any] | None = None
        self.modified = False
        self.rotate = False

    @property
    def data(self) -> dict[str, Any]:
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


def rotate_session() -> None:
    """Give this request's page session a new id when it is saved; its old row goes."""
    current = session  # the proxy answers isinstance for the session it stands for
    if isinstance(current, PageSession):
        current.rotate = True


class PageSessionInterface(SessionInterface):
    """``signed_in_as``: the data key naming the account, kept in a column for operators."""

    def __init__(self, store: SealedSessionStore, signed_in_as: str) -> None:
        self.store, self.signed_in_as = store, signed_in_as

    def open_session(self, app: Flask, request: Request) -> PageSession:
        return PageSession(self.store, request.cookies.get(self.get_cookie_name(app)))

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # Always a PageSession: open_session above never answers anything else.
        if not isinstance(session, PageSession) or not session.loaded or not (
                session.modified or session.rotate):
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
                        signed_in_as=session.data.get(self.signed_in_as), now=datetime.now(UTC))
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


def install_page_sessions(app: Flask, store: SealedSessionStore, *, cookie: str, path: str,
                          secure: bool, signed_in_as: str) -> None:
    """Serve ``session`` from ``store``, its cookie HttpOnly, SameSite=Lax, under ``path``."""
    app.session_interface = PageSessionInterface(store, signed_in_as)
    app.config.update(
        SESSION_COOKIE_NAME=cookie,
        SESSION_COOKIE_PATH=path,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
    )
