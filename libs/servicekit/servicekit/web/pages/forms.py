"""What every server-rendered page shares: CSRF tokens, safe headers, bounded form fields."""

from __future__ import annotations

import hmac
import secrets

from flask import Blueprint, Response, request, session

from servicekit.web.errors import error_response

CSRF_FIELD = "csrf_token"
_CSRF = "csrf"
MAX_FIELD = 254
MAX_NAME = 200
MAX_PASSWORD = 1024  # the password policy says the real limit; this only bounds the request


class FormExpired(Exception):
    """The form's CSRF token is missing or not this session's (400)."""


def csrf_token() -> str:
    """This session's CSRF token, for the hidden field of every form."""
    if _CSRF not in session:
        session[_CSRF] = secrets.token_urlsafe(32)
    token: str = session[_CSRF]
    return token


def new_csrf_token() -> None:
    """A fresh token, for a session that just signed in."""
    session[_CSRF] = secrets.token_urlsafe(32)


def check_csrf() -> None:
    """Refuse a POST whose form does not carry this session's CSRF token."""
    sent, expected = request.form.get(CSRF_FIELD, ""), session.get(_CSRF, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise FormExpired()


def field(name: str, limit: int = MAX_FIELD) -> str:
    return (request.form.get(name) or "").strip()[:limit]


def password_field(name: str) -> str:
    # Never stripped: spaces may be part of a passphrase.
    return (request.form.get(name) or "")[:MAX_PASSWORD]


def guard_pages(blueprint: Blueprint) -> None:
    """Pages answer at their own address only, check CSRF on every POST, and are not cached.

    Behind the gateway the pages live under their own prefix alone. Reached under an API
    prefix (X-Forwarded-Prefix) they would miss the pages' rate limits, CSP and the masking
    of link tokens in the access log: answer as the API would.
    """

    @blueprint.before_request
    def _only_at_the_pages_own_address() -> Response | None:
        if request.script_root:
            return error_response(404, "not_found",
                                  "Nothing lives at this address; check the URL.")
        return None

    @blueprint.before_request
    def _csrf() -> None:
        if request.method == "POST":
            check_csrf()

    @blueprint.after_request
    def _headers(response: Response) -> Response:
        # Pages name people and links carry tokens: keep both out of caches and out of the
        # Referer of anything a page links to. The gateway sets these too.
        response.headers.setdefault("Cache-Control", "private, no-store")
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
