"""Identity's recipient accounts over HTTP, called straight at IDENTITY_URL (not the gateway).

Each call carries the portal visitor's address and browser (X-Forwarded-For, User-Agent).
Identity's refusals come back as ``IdentityRefused`` with its status and code, for the
pages to word; anything else (no answer, a 5xx, a body that is not the platform's error
shape) is ``IdentityUnavailable``. Passwords and tokens never reach a log line here.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import requests
from flask import has_request_context, request

from docportal.service_layer.ports import IdentityRefused, IdentityUnavailable, Tokens

log = logging.getLogger("docportal.identity")

PROOF_ISSUER = "clinic-docportal"
PROOF_AUDIENCE = "clinic-identity:recipient-registration"
PROOF_LIFETIME = timedelta(minutes=30)
TIMEOUT_SECONDS = (3.05, 10)
UNAVAILABLE = "Sign-in is not available right now; try again in a few minutes."


def email_proof(email: str, secret: str, now: datetime | None = None) -> str:
    """The JWT that tells identity this portal saw a valid share link for ``email``."""
    issued_at = int((now or datetime.now(UTC)).timestamp())
    claims = {
        "iss": PROOF_ISSUER, "aud": PROOF_AUDIENCE, "sub": email.strip().lower(),
        "iat": issued_at, "exp": issued_at + int(PROOF_LIFETIME.total_seconds()),
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


class HttpRecipientAccounts:
    def __init__(self, identity_url: str, proof_secret: str) -> None:
        self.base_url = identity_url.rstrip("/")
        self._proof_secret = proof_secret
        self._http = requests.Session()

    def register(self, email: str, full_name: str, password: str) -> None:
        self._post("/recipients/register", {
            "proof": email_proof(email, self._proof_secret), "full_name": full_name,
            "password": password})

    def sign_in(self, email: str, password: str) -> Tokens:
        return _tokens(self._post("/login", {"email": email, "password": password,
                                             "account": "recipient"}))

    def refresh(self, refresh_token: str) -> Tokens:
        return _tokens(self._post("/token/refresh", {"refresh_token": refresh_token}))

    def sign_out(self, refresh_token: str) -> None:
        self._post("/logout", {"refresh_token": refresh_token})

    def forgot_password(self, email: str) -> None:
        self._post("/password/forgot", {"email": email, "account": "recipient"})

    def reset_password(self, token: str, password: str) -> None:
        self._post("/password/reset", {"token": token, "password": password})

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._http.post(self.base_url + path, json=body,
                                       headers=_visitor_headers(), timeout=TIMEOUT_SECONDS)
        except requests.RequestException as err:
            log.warning("identity %s unreachable: %s", path, type(err).__name__)
            raise IdentityUnavailable(UNAVAILABLE) from None
        if response.status_code < 400:
            return _json(response) if response.content else {}
        error = _json(response).get("error")
        if response.status_code >= 500 or not isinstance(error, dict):
            log.warning("identity %s answered %s", path, response.status_code)
            raise IdentityUnavailable(UNAVAILABLE)
        sent = error.get("details")
        details: dict[str, Any] = sent if isinstance(sent, dict) else {}
        if "Retry-After" in response.headers:
            details = {**details, "retry_after": response.headers["Retry-After"]}
        raise IdentityRefused(response.status_code, str(error.get("code") or "refused"),
                              str(error.get("message") or ""), details)


def _visitor_headers() -> dict[str, str]:
    """The portal's visitor as identity should see them: identity throttles sign-in and
    "forgot password" per client address and records the browser, so it gets the visitor's
    address (it trusts one X-Forwarded-For hop: this call's), never the portal's own."""
    if not has_request_context():
        return {}
    headers = {"X-Forwarded-For": request.remote_addr} if request.remote_addr else {}
    if request.user_agent.string:
        headers["User-Agent"] = request.user_agent.string[:256]
    return headers


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _tokens(body: dict[str, Any]) -> Tokens:
    access, refresh = body.get("access_token"), body.get("refresh_token")
    if not isinstance(access, str) or not isinstance(refresh, str):
        raise IdentityUnavailable(UNAVAILABLE)
    return Tokens(access, refresh)
