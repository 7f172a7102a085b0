"""Signed access tokens (EdDSA JWTs) with the claims every service reads."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from identity.adapters.signing_keys import SigningKeys

ACCESS_TOKEN_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class AccessTokenClaims:
    user_id: str
    org_id: str | None
    kind: str
    email: str
    user_type: str | None
    permissions: frozenset[str]
    clinics: tuple[str, ...]
    permission_version: int
    not_after: datetime | None = None  # a vendor's token ends with its access grant
    session_id: str | None = None  # the refresh family; ending it ends the access tokens


@dataclass(frozen=True)
class AccessTokenIssuer:
    keys: SigningKeys
    issuer: str
    audience: str

    def issue(self, claims: AccessTokenClaims, now: datetime) -> str:
        expires = now + ACCESS_TOKEN_LIFETIME
        if claims.not_after is not None:
            expires = min(expires, claims.not_after)
        payload = {
            "sub": claims.user_id,
            "org": claims.org_id,
            "kind": claims.kind,
            "email": claims.email,
            "user_type": claims.user_type,
            "perms": sorted(claims.permissions),
            "clinics": list(claims.clinics),
            "pv": claims.permission_version,
            **({"sid": claims.session_id} if claims.session_id else {}),
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "iss": self.issuer,
            "aud": self.audience,
            "jti": str(uuid.uuid4()),
        }
        key = self.keys.current
        return jwt.encode(payload, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})

    @property
    def lifetime_seconds(self) -> int:
        return int(ACCESS_TOKEN_LIFETIME.total_seconds())
