"""The staff member's browser session: identity's own tokens, kept server-side.

The session lives in identity's database (servicekit.web.pages); the cookie holds only a
random id. Every page checks the access token with ``servicekit.auth.check_token``, so the
platform's token state applies here as in every API: a password reset or permission change
(a higher ``pv``) or an ended session ends this one on the next request. An expired access
token is traded in-process for new ones with the refresh token; a refused refresh ends the
session. Only staff tokens count here.
"""

from __future__ import annotations

from flask import g, session

from identity.bootstrap import identity
from identity.domain.errors import RefreshRefused
from identity.service_layer import sessions
from servicekit.auth import Principal, check_token
from servicekit.token_state import SESSION_ENDED, TOKEN_OUTDATED
from servicekit.web.errors import Unauthorized
from servicekit.web.pages import new_csrf_token, rotate_session

#: The data key naming the signed-in account (kept in a column for operators too).
SIGNED_IN_AS = "user_id"
_ACCESS, _REFRESH = "access", "refresh"


def current_staff() -> Principal | None:
    """The signed-in staff member, or None; refreshes an expired access token once."""
    if "staff" not in g:
        g.staff = _resolve()
    return g.staff


def access_token() -> str | None:
    """The signed-in staff member's access token, for calls to another service's API on
    their behalf (audit's reports); checked and refreshed by current_staff() first."""
    return session.get(_ACCESS) if current_staff() is not None else None


def start_session(signed: sessions.Session) -> Principal | None:
    """Sign the browser in with fresh tokens; a new session id (and CSRF token) every time."""
    principal = _staff(_verify(signed.access_token))
    if principal is None:
        return None
    _forget()
    session[_ACCESS], session[_REFRESH] = signed.access_token, signed.refresh_token
    session[SIGNED_IN_AS] = principal.user_id
    new_csrf_token()
    g.staff = g.principal = principal
    return principal


def end_session() -> None:
    """Delete the session here and end its refresh family (signed out everywhere it counts)."""
    refresh = session.get(_REFRESH)
    _forget()
    if refresh:
        ident = identity()
        sessions.sign_out(ident.uow(), refresh_token=refresh, now=ident.now())


def _resolve() -> Principal | None:
    access = session.get(_ACCESS)
    if not access:
        return None
    try:
        principal: Principal | None = check_token(access)
    except Unauthorized as refused:
        ended = refused.code in (TOKEN_OUTDATED, SESSION_ENDED)
        principal = None if ended else _refresh()
    staff = _staff(principal)
    if staff is None:
        _forget()
        return None
    g.principal = staff  # the access log names the account
    return staff


def _refresh() -> Principal | None:
    refresh = session.get(_REFRESH)
    if not refresh:
        return None
    ident = identity()
    try:
        renewed = sessions.refresh_session(ident.uow(), refresh_token=refresh,
                                           tokens=ident.tokens, catalog=ident.catalog,
                                           now=ident.now())
    except RefreshRefused:
        return None  # ended, reused or revoked: sign in again
    principal = _verify(renewed.access_token)
    if principal is not None:
        session[_ACCESS], session[_REFRESH] = renewed.access_token, renewed.refresh_token
    return principal


def _verify(token: str) -> Principal | None:
    try:
        return check_token(token)
    except Unauthorized:
        return None


def _forget() -> None:
    """Drop this browser's session: its row is deleted and the next one gets a new id."""
    session.clear()
    rotate_session()
    g.staff = None


def _staff(principal: Principal | None) -> Principal | None:
    return principal if principal is not None and principal.kind == "staff" else None
