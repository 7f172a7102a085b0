"""The recipient's browser session: identity's tokens kept server-side, and CSRF.

The session lives in docportal's database (servicekit.web.pages); the cookie holds only a random
id. On every page request the access token is checked with ``servicekit.auth.check_token``, so
the platform's token state applies here as in every API: a password reset or permission change
(a higher ``pv``) or an ended identity session ends this session on the next request. An
expired access token is traded for new ones at identity with the refresh token; a refused
refresh ends the session. A token that is not a recipient's is never accepted here.
"""

from __future__ import annotations

import logging

from flask import g, session

from docportal.bootstrap import docportal
from docportal.service_layer.callers import Recipient
from docportal.service_layer.ports import IdentityRefused, IdentityUnavailable, Tokens
from servicekit.auth import Principal, check_token
from servicekit.token_state import SESSION_ENDED, TOKEN_OUTDATED
from servicekit.web.errors import ServiceUnavailable, Unauthorized
from servicekit.web.pages import new_csrf_token, rotate_session

log = logging.getLogger("docportal.portal")

__all__ = ["SIGNED_IN_AS", "current_recipient", "end_session",
           "pending_link", "remember_link", "start_session"]

#: The data key naming the signed-in account (kept in a column for operators too).
SIGNED_IN_AS = "recipient_id"
_ACCESS, _REFRESH, _LINK = "access", "refresh", "link"


def current_recipient() -> Recipient | None:
    """The signed-in recipient, or None; refreshes an expired access token once."""
    if "recipient" not in g:
        g.recipient = _resolve()
    return g.recipient


def start_session(tokens: Tokens) -> Recipient | None:
    """Sign the browser in with fresh tokens; a new session id (and CSRF token) every time."""
    principal = _verify(tokens.access_token)
    if principal is None or _recipient(principal) is None:
        return None
    _forget()
    session[_ACCESS], session[_REFRESH] = tokens.access_token, tokens.refresh_token
    session[SIGNED_IN_AS] = principal.user_id
    new_csrf_token()
    g.recipient = _recipient(principal)
    g.principal = principal
    return g.recipient


def end_session() -> None:
    """Delete the session here and end it at identity (best effort)."""
    refresh = session.get(_REFRESH)
    _forget()
    if refresh:
        try:
            docportal().accounts.sign_out(refresh)
        except (IdentityRefused, IdentityUnavailable) as err:
            log.info("identity sign-out not confirmed: %s", type(err).__name__)


def remember_link(token: str) -> None:
    """Keep the share link that sent an anonymous visitor to sign in or register."""
    session[_LINK] = token


def pending_link() -> str | None:
    return session.pop(_LINK, None)


def _resolve() -> Recipient | None:
    access = session.get(_ACCESS)
    if not access:
        return None
    try:
        principal: Principal | None = _check(access)
    except _Ended:
        principal = None
    except _Expired:
        principal = _refresh()
    recipient = _recipient(principal) if principal else None
    if recipient is None:
        _forget()
        return None
    g.principal = principal  # the access log names the account
    return recipient


class _Expired(Exception):
    """The access token no longer verifies (expired, most likely): try the refresh token."""


class _Ended(Exception):
    """Identity revoked the token since (password reset, permissions, session ended)."""


def _check(token: str) -> Principal:
    try:
        return check_token(token)
    except Unauthorized as refused:
        if refused.code in (TOKEN_OUTDATED, SESSION_ENDED):
            raise _Ended() from None
        raise _Expired() from None
    except ServiceUnavailable:
        raise IdentityUnavailable(
            "Sign-in cannot be checked right now; try again shortly.") from None


def _refresh() -> Principal | None:
    refresh = session.get(_REFRESH)
    if not refresh:
        return None
    try:
        tokens = docportal().accounts.refresh(refresh)
    except IdentityRefused:
        return None  # ended, reused or revoked: sign in again
    principal = _verify(tokens.access_token)
    if principal is not None:
        session[_ACCESS], session[_REFRESH] = tokens.access_token, tokens.refresh_token
    return principal


def _verify(token: str) -> Principal | None:
    """A token identity just issued, checked like any other; None when it does not count."""
    try:
        return _check(token)
    except (_Ended, _Expired):
        return None


def _forget() -> None:
    """Drop this browser's session: its row is deleted and the next one gets a new id."""
    session.clear()
    rotate_session()
    g.recipient = None


def _recipient(principal: Principal) -> Recipient | None:
    if principal.kind != "recipient" or not principal.email:
        return None
    return Recipient(principal.user_id, principal.email)
