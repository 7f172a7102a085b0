"""The recipient's browser session: identity's tokens in Flask's signed cookie, and CSRF.

The cookie holds the access and refresh tokens (signed with PORTAL_SESSION_SECRET, so a
browser cannot forge or alter them; HttpOnly, SameSite=Lax, Secure over TLS). The access
token is verified on every request with the same JWKS as the API; when it has expired the
refresh token is traded for new ones at identity. A token that is not a recipient's is
never accepted here.
"""

from __future__ import annotations

import hmac
import logging
import secrets

from flask import current_app, g, request, session

from docportal.bootstrap import docportal
from docportal.service_layer.callers import Recipient
from docportal.service_layer.ports import IdentityRefused, IdentityUnavailable, Tokens
from servicekit.auth import InvalidToken, KeySetUnavailable, Principal, TokenVerifier

log = logging.getLogger("docportal.portal")

CSRF_FIELD = "csrf_token"
_ACCESS, _REFRESH, _CSRF, _LINK = "access", "refresh", "csrf", "link"


class FormExpired(Exception):
    """The form's CSRF token is missing or not this session's (400)."""


def current_recipient() -> Recipient | None:
    """The signed-in recipient, or None; refreshes an expired access token once."""
    if "recipient" not in g:
        g.recipient = _resolve()
    return g.recipient


def start_session(tokens: Tokens) -> Recipient | None:
    """Sign the browser in with fresh tokens; a new session (and CSRF token) every time."""
    principal = _verify(tokens.access_token)
    if principal is None or _recipient(principal) is None:
        return None
    session.clear()
    session[_ACCESS], session[_REFRESH] = tokens.access_token, tokens.refresh_token
    session[_CSRF] = secrets.token_urlsafe(32)
    g.recipient = _recipient(principal)
    g.principal = principal
    return g.recipient


def end_session() -> None:
    """Forget the tokens here and end the session at identity (best effort)."""
    refresh = session.get(_REFRESH)
    session.clear()
    g.recipient = None
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


def csrf_token() -> str:
    """This session's CSRF token, for the hidden field of every form."""
    if _CSRF not in session:
        session[_CSRF] = secrets.token_urlsafe(32)
    return session[_CSRF]


def check_csrf() -> None:
    """Refuse a POST whose form does not carry this session's CSRF token."""
    sent, expected = request.form.get(CSRF_FIELD, ""), session.get(_CSRF, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise FormExpired()


def _resolve() -> Recipient | None:
    access = session.get(_ACCESS)
    if not access:
        return None
    principal = _verify(access)
    if principal is None:
        principal = _refresh()
    recipient = _recipient(principal) if principal else None
    if recipient is None:
        session.pop(_ACCESS, None)
        session.pop(_REFRESH, None)
        return None
    g.principal = principal  # the access log names the account
    return recipient


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
    verifier: TokenVerifier | None = current_app.extensions.get("servicekit.verifier")
    if verifier is None:
        raise IdentityUnavailable("Sign-in cannot be checked right now; try again shortly.")
    try:
        return verifier.verify(token)
    except InvalidToken:
        return None
    except KeySetUnavailable:
        raise IdentityUnavailable(
            "Sign-in cannot be checked right now; try again shortly.") from None


def _recipient(principal: Principal) -> Recipient | None:
    if principal.kind != "recipient" or not principal.email:
        return None
    return Recipient(principal.user_id, principal.email)
