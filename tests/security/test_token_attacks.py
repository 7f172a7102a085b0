"""Forged, stale and misdirected access tokens against a protected route of every service.

Each service is checked with a token it accepts (the control), then with every attack:
all answer 401 in the platform's JSON error shape. Identity signs with its own keys; notes,
docportal and audit trust the security tests' key, as they trust identity's in production.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from security_apps import (
    PASSWORD,
    feed_identity,
    identity_practice,
    notes_practice,
)
from security_tokens import (
    AUDIENCE,
    ISSUER,
    KEY,
    KID,
    b64,
    bearer,
    claims_for,
    encode_segment,
    unb64,
)

from servicekit.totp_wallet import sign_in_through

pytestmark = pytest.mark.integration


@dataclass
class Target:
    client: Any
    url: str
    claims: dict[str, Any]  # the claims of a token the service accepts for `url`
    key: ed25519.Ed25519PrivateKey
    kid: str

    def sign(self, claims: dict[str, Any] | None = None, *, key=None, kid: str | None = None,
             headers: dict[str, Any] | None = None) -> str:
        return jwt.encode(claims if claims is not None else self.claims, key or self.key,
                          algorithm="EdDSA", headers={"kid": kid or self.kid, **(headers or {})})

    def changed(self, **claims: Any) -> str:
        return self.sign({**self.claims, **claims})

    def without(self, name: str) -> str:
        return self.sign({k: v for k, v in self.claims.items() if k != name})

    def public_pem(self) -> bytes:
        return self.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)

    def public_raw(self) -> bytes:
        return self.key.public_key().public_bytes(serialization.Encoding.Raw,
                                                  serialization.PublicFormat.Raw)


def unsigned(target: Target, alg: str) -> str:
    header = encode_segment({"alg": alg, "typ": "JWT", "kid": target.kid})
    return f"{header}.{encode_segment(target.claims)}."


def hmac_signed(target: Target, secret: bytes) -> str:
    signing_input = (f"{encode_segment({'alg': 'HS256', 'typ': 'JWT', 'kid': target.kid})}."
                     f"{encode_segment(target.claims)}")
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def tampered(target: Target, **changes: Any) -> str:
    header, payload, signature = target.sign().split(".")
    claims = {**json.loads(unb64(payload)), **changes}
    return f"{header}.{encode_segment(claims)}.{signature}"


def now() -> int:
    return int(time.time())


ATTACKS: dict[str, Callable[[Target], str]] = {
    "alg_none": lambda t: unsigned(t, "none"),
    "alg_None": lambda t: unsigned(t, "None"),
    "hs256_with_public_key_pem": lambda t: hmac_signed(t, t.public_pem()),
    "hs256_with_public_key_bytes": lambda t: hmac_signed(t, t.public_raw()),
    "kid_not_in_jwks": lambda t: t.sign(key=ed25519.Ed25519PrivateKey.generate(),
                                        kid="not-a-published-key"),
    "right_kid_wrong_key": lambda t: t.sign(key=ed25519.Ed25519PrivateKey.generate()),
    "no_kid": lambda t: jwt.encode(t.claims, t.key, algorithm="EdDSA"),
    "expired": lambda t: t.changed(iat=now() - 1200, exp=now() - 600),
    "not_yet_valid_nbf": lambda t: t.changed(nbf=now() + 3600),
    "issued_in_the_future": lambda t: t.changed(iat=now() + 3600, exp=now() + 4200),
    "wrong_audience": lambda t: t.changed(aud="some-other-platform"),
    "wrong_issuer": lambda t: t.changed(iss="https://evil.example"),
    "no_expiry": lambda t: t.without("exp"),
    "tampered_permissions": lambda t: tampered(t, perms=["view_audit", "manage_users"]),
    "tampered_practice": lambda t: tampered(t, org=str(uuid.uuid4())),
    "tampered_subject": lambda t: tampered(t, sub=str(uuid.uuid4())),
    "missing_kind": lambda t: t.without("kind"),
    "unknown_kind": lambda t: t.changed(kind="superuser"),
    "perms_as_a_string": lambda t: t.changed(perms="view_audit"),
    "garbage": lambda t: "not.a.token",
    "empty": lambda t: "",
}


def assert_refused(response, attack: str,
                   codes: frozenset[str] = frozenset({"unauthorized", "token_outdated"})) -> None:
    assert response.status_code == 401, (attack, response.status_code, response.get_data())
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "details"}, attack
    assert error["code"] in codes, (attack, error)


def attack_all(target: Target) -> None:
    control = target.client.get(target.url, headers=bearer(target.sign()))
    assert control.status_code == 200, control.get_json()
    for attack, forge in ATTACKS.items():
        token = forge(target)
        assert_refused(target.client.get(target.url, headers=bearer(token)), attack)
    for header in ({"Authorization": f"Basic {target.sign()}"},
                   {"Authorization": f"Bearer {target.sign()}x"}):
        assert_refused(target.client.get(target.url, headers=header), "scheme or suffix")


def test_notes_refuses_every_forged_token(notes):
    practice = notes_practice(notes)
    claims = claims_for(practice.users["manager"], practice.id)
    attack_all(Target(notes.test_client(), "/patients", claims, KEY, KID))


def test_docportal_refuses_every_forged_token(docportal):
    claims = claims_for(None, str(uuid.uuid4()), perms=("view_patients",))
    attack_all(Target(docportal.test_client(), "/documents?patient_id=p-1", claims, KEY, KID))


def test_audit_refuses_every_forged_token(audit):
    claims = claims_for(None, str(uuid.uuid4()), perms=("view_audit",))
    attack_all(Target(audit.test_client(), "/events", claims, KEY, KID))


def test_identity_refuses_every_forged_token(identity):
    practice = identity_practice(identity)
    client = identity.test_client()
    signed_in = sign_in_through(client, {"email": "owner@harbourphysio.example",
                                         "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.get_json()
    claims = jwt.decode(signed_in.get_json()["access_token"], options={"verify_signature": False})
    assert claims["org"] == practice.practice_id
    keys = identity.extensions["identity"].keys.current
    attack_all(Target(client, "/users", claims, keys.private_key, keys.kid))


def test_the_services_share_the_issuer_and_audience_the_tests_sign_for(identity):
    config = identity.extensions["identity"].config
    assert (config.jwt_issuer, config.jwt_audience) == (ISSUER, AUDIENCE)


# --- stale tokens: a reused refresh token, a token older than the permission version ----

def test_a_reused_refresh_token_is_refused_and_revokes_its_whole_family(identity):
    """Extends services/identity/tests/integration/test_sessions_api.py's rotation test
    with the error shape and a family member issued after the reuse."""
    identity_practice(identity)
    client = identity.test_client()
    first = sign_in_through(client, {"email": "owner@harbourphysio.example",
                                     "password": PASSWORD}).get_json()
    rotated = client.post("/token/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200

    reused = client.post("/token/refresh", json={"refresh_token": first["refresh_token"]})
    after = client.post("/token/refresh",
                        json={"refresh_token": rotated.get_json()["refresh_token"]})

    again = client.post("/token/refresh", json={"refresh_token": first["refresh_token"]})
    for response in (reused, after, again):
        assert_refused(response, "refresh reuse", frozenset({"refresh_refused"}))


def test_notes_refuses_a_token_older_than_the_users_permission_change(notes):
    practice = notes_practice(notes)
    client = notes.test_client()
    user = practice.users["clerical"]
    old = practice.token("clerical", perms=("view_patients", "edit_patients"), pv=1)
    assert client.get("/patients", headers=bearer(old)).status_code == 200

    feed_identity(notes, "identity.user.permissions_changed", ("user", user), practice.id, {
        "before": {"permissions": ["edit_patients", "view_patients"]},
        "after": {"permissions": ["view_patients"]}, "granted": [],
        "revoked": ["edit_patients"], "permission_version": 2, "notices": []})

    refused = client.get("/patients", headers=bearer(old))
    assert_refused(refused, "outdated")
    assert refused.get_json()["error"]["code"] == "token_outdated"
    fresh = practice.token("clerical", perms=("view_patients",), pv=2)
    assert client.get("/patients", headers=bearer(fresh)).status_code == 200


def test_identity_refuses_a_token_older_than_the_users_permission_change(identity):
    from identity.adapters.mail_memory import MemoryMailer
    from identity.service_layer.callers import Caller
    from identity.service_layer.sessions import set_password
    from identity.service_layer.users import add_user

    practice = identity_practice(identity)
    ident = identity.extensions["identity"]
    mailer = MemoryMailer()
    added = add_user(ident.uow(), Caller(practice.owner_id, practice.practice_id),
                     email="pat.front@harbourphysio.example", full_name="Pat Front",
                     user_type="Front Office", default_clinic_id=practice.clinic_id,
                     clinic_ids=[practice.clinic_id], supervising_therapist_id=None,
                     catalog=ident.catalog, mailer=mailer, now=datetime.now(UTC))
    set_password(ident.uow(), token=mailer.token_for("pat.front@harbourphysio.example"),
                 password=PASSWORD, hashing=ident.hashing, now=datetime.now(UTC))
    client = identity.test_client()

    def sign_in(email: str) -> str:
        response = sign_in_through(client, {"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["access_token"]

    old = sign_in("pat.front@harbourphysio.example")
    assert client.get("/me", headers=bearer(old)).status_code == 200
    owner = bearer(sign_in("owner@harbourphysio.example"))
    changed = client.patch(f"/users/{added.view.user.id}/permissions", headers=owner,
                           json={"revoke": ["edit_patients"]})
    assert changed.status_code == 200, changed.get_json()

    assert_refused(client.get("/me", headers=bearer(old)), "outdated")
    fresh = sign_in("pat.front@harbourphysio.example")
    assert client.get("/me", headers=bearer(fresh)).status_code == 200
