"""Helpers for the recipient pages' tests: a fake of identity's recipient accounts, forms.

The fake signs access tokens with the harness's key, so the app verifies them exactly as
it verifies identity's; it keeps accounts and sessions in memory and can be made to fail.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field

import jwt
from docportal_harness import AUDIENCE, ISSUER, JWKS, TOKEN_KEY

from docportal.app import create_app
from docportal.service_layer.ports import IdentityRefused, IdentityUnavailable, Tokens
from docportal.spec import SPEC
from servicekit.auth import TokenVerifier
from servicekit.migrations import upgrade

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LINK = re.compile(r"https://clinic\.example/portal/s/([A-Za-z0-9_-]{43})")


def recipient_token(user_id: str, email: str, *, kind: str = "recipient",
                    lifetime: int = 300, session_id: str | None = None) -> str:
    now = int(time.time())
    claims = {"sub": user_id, "org": None, "kind": kind, "email": email, "perms": [],
              "clinics": [], "pv": 1, "iat": now - 1, "exp": now + lifetime, "iss": ISSUER,
              "aud": AUDIENCE}
    if session_id:
        claims["sid"] = session_id
    return jwt.encode(claims, TOKEN_KEY, algorithm="EdDSA", headers={"kid": "t-1"})


@dataclass
class FakeAccount:
    id: str
    full_name: str
    password: str


@dataclass
class FakeRecipientAccounts:
    """Identity's recipient accounts as the contract describes them, in memory."""

    accounts: dict[str, FakeAccount] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # refresh token -> email
    session_ids: dict[str, str] = field(default_factory=dict)  # refresh token -> sid
    forgotten: list[str] = field(default_factory=list)
    resets: dict[str, str] = field(default_factory=dict)  # reset token -> email
    down: bool = False
    locked: bool = False
    access_lifetime: int = 300

    def add(self, email: str, password: str = PASSWORD) -> str:
        account = FakeAccount(str(uuid.uuid4()), "Dr Lee", password)
        self.accounts[email.lower()] = account
        return account.id

    def register(self, email: str, full_name: str, password: str) -> None:
        self._up()
        if email in self.accounts:
            raise IdentityRefused(409, "recipient_exists", "An account with this email "
                                  "already exists. Sign in instead, or reset your password.")
        if len(password) < 12:
            raise IdentityRefused(422, "password_rejected", "Choose a stronger password: use "
                                  "at least 12 characters.", {"reasons": ["too_short"]})
        self.accounts[email] = FakeAccount(str(uuid.uuid4()), full_name, password)

    def sign_in(self, email: str, password: str) -> Tokens:
        self._up()
        if self.locked:
            raise IdentityRefused(429, "sign_in_locked", "Too many failed sign-ins; try again "
                                  "in 15 minutes.", {"retry_after": "900"})
        account = self.accounts.get(email.strip().lower())
        if account is None or account.password != password:
            raise IdentityRefused(401, "sign_in_refused", "The email or password is wrong.")
        return self._session(email.strip().lower())

    def refresh(self, refresh_token: str) -> Tokens:
        self._up()
        email = self.sessions.pop(refresh_token, None)
        if email is None:
            raise IdentityRefused(401, "refresh_refused", "Sign in again.")
        return self._session(email, self.session_ids.pop(refresh_token, None))

    def sign_out(self, refresh_token: str) -> None:
        self.sessions.pop(refresh_token, None)

    def forgot_password(self, email: str) -> None:
        self._up()
        self.forgotten.append(email)
        if email.lower() in self.accounts:
            self.resets[f"reset-{uuid.uuid4().hex}"] = email.lower()

    def reset_password(self, token: str, password: str) -> None:
        self._up()
        email = self.resets.pop(token, None)
        if email is None:
            raise IdentityRefused(410, "link_unusable", "This link was already used; ask "
                                  "for a new one.")
        self.accounts[email].password = password
        self.sessions = {t: e for t, e in self.sessions.items() if e != email}

    def _session(self, email: str, session_id: str | None = None) -> Tokens:
        refresh = uuid.uuid4().hex
        self.sessions[refresh] = email
        # A refreshed token stays in its session (identity's refresh-token family).
        self.session_ids[refresh] = session_id or uuid.uuid4().hex
        access = recipient_token(self.accounts[email].id, email,
                                 lifetime=self.access_lifetime,
                                 session_id=self.session_ids[refresh])
        return Tokens(access, refresh)

    def _up(self) -> None:
        if self.down:
            raise IdentityUnavailable("Sign-in is not available right now; try again in a "
                                      "few minutes.")


def make_portal_app(config, accounts):
    upgrade(SPEC.migrations_dir, config.database_url)
    app = create_app(config, verifier=TokenVerifier(issuer=ISSUER, audience=AUDIENCE,
                                                    jwks=JWKS), accounts=accounts)
    app.config["TESTING"] = True
    return app


def csrf_of(response) -> str:
    return CSRF.search(response.get_data(as_text=True)).group(1)


def link_token(mail_sink, email: str) -> str:
    return LINK.search(mail_sink.to(email)[-1].get_content()).group(1)
