"""Access tokens as identity signs them, with one test key every in-process app trusts.

The security tests build each service's app with ``verifier()``; ``mint`` makes a token for
any caller, and its keyword arguments let the attack tests change any claim or header.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519
from jwt.algorithms import OKPAlgorithm

from servicekit.auth import TokenVerifier

ISSUER, AUDIENCE, KID = "clinic-identity", "clinic-platform", "security-1"
KEY = ed25519.Ed25519PrivateKey.generate()
JWKS = {"keys": [{**OKPAlgorithm.to_jwk(KEY.public_key(), as_dict=True), "kid": KID,
                  "alg": "EdDSA", "use": "sig"}]}
ALL_PERMISSIONS = ("view_patients", "edit_patients", "start_notes", "forward_notes",
                   "finish_notes", "delete_transactions", "manage_users", "share_documents",
                   "view_audit")


def verifier() -> TokenVerifier:
    return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=JWKS)


def claims_for(user_id: str | None, org_id: str | None, *, kind: str = "staff",
               perms: tuple[str, ...] | list[str] = ALL_PERMISSIONS, pv: int = 1,
               user_type: str | None = "PT", lifetime: int = 600,
               email: str | None = "") -> dict[str, Any]:
    """Claims as identity issues them; ``email=None`` for a machine (a service account)."""
    now = int(time.time())
    if email == "":
        email = f"{kind}-{uuid.uuid4().hex[:6]}@example.test"
    return {"sub": user_id or str(uuid.uuid4()), "org": org_id, "kind": kind,
            "email": email, "user_type": user_type,
            "perms": list(perms), "clinics": [], "pv": pv, "iat": now, "exp": now + lifetime,
            "iss": ISSUER, "aud": AUDIENCE, "jti": str(uuid.uuid4())}


def sign(claims: dict[str, Any], key: Any = KEY, kid: str = KID) -> str:
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": kid})


def mint(user_id: str | None, org_id: str | None, **options: Any) -> str:
    return sign(claims_for(user_id, org_id, **options))


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_segment(value: dict[str, Any]) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())
