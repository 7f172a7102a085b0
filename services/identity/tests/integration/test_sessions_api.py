"""Sign-in, refresh, sign-out, the first password and the token refusals, through HTTP."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from identity.adapters.mail_memory import MemoryMailer
from identity.adapters.tables import messaging
from identity.service_layer.callers import Caller
from identity.service_layer.users import add_user

pytestmark = pytest.mark.integration
OWNER = "owner@harbourphysio.example"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def outbox_types(ident) -> list[str]:
    with ident.uow() as uow:
        table = messaging.outbox
        rows = uow.session.execute(select(table)).mappings().all()
    return [r["event_type"] for r in rows]


def test_signed_in_token_carries_the_contract_claims_and_verifies_with_the_jwks(
    client, login, practice, ident
):
    tokens = login(OWNER)
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 600
    jwks = client.get("/.well-known/jwks.json").get_json()
    key = jwt.PyJWK(jwks["keys"][0])
    claims = jwt.decode(tokens["access_token"], key.key, algorithms=["EdDSA"],
                        audience=ident.config.jwt_audience, issuer=ident.config.jwt_issuer)
    assert set(claims) == {"sub", "org", "kind", "email", "user_type", "perms", "clinics", "pv",
                           "sid", "exp", "iat", "iss", "aud", "jti"}
    # The session is the refresh family: refreshing keeps it, signing out ends it.
    refreshed = client.post("/token/refresh", json={"refresh_token": tokens["refresh_token"]})
    again = jwt.decode(refreshed.get_json()["access_token"], key.key, algorithms=["EdDSA"],
                       audience=ident.config.jwt_audience, issuer=ident.config.jwt_issuer)
    assert again["sid"] == claims["sid"]
    assert claims["exp"] - claims["iat"] == 600
    assert claims["org"] == practice.id and "manage_users" in claims["perms"]
    assert claims["clinics"] == [practice.clinic_id]


def test_unknown_email_and_wrong_password_get_the_same_401_body(client, practice):
    unknown = client.post("/login", json={"email": "nobody@x.example", "password": "whatever1"})
    wrong = client.post("/login", json={"email": OWNER, "password": "not the password"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json() == wrong.get_json()


def test_refresh_rotates_and_a_reused_token_revokes_the_family(client, login, practice, ident):
    first = login(OWNER)
    second = client.post("/token/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    rotated = second.get_json()["refresh_token"]
    reused = client.post("/token/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401 and reused.get_json()["error"]["code"] == "refresh_refused"
    after = client.post("/token/refresh", json={"refresh_token": rotated})
    assert after.status_code == 401
    assert "identity.session.revoked" in outbox_types(ident)


def test_logout_ends_the_session(client, login, practice):
    tokens = login(OWNER)
    signed_out = client.post("/logout", json={"refresh_token": tokens["refresh_token"]})
    assert signed_out.status_code == 204
    refused = client.post("/token/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refused.status_code == 401


def test_password_set_refuses_a_weak_password_and_keeps_the_link_usable(client, practice, ident):
    mailer = MemoryMailer()
    add_user(ident.uow(), Caller(practice.owner_id, practice.id),
             email="new@harbourphysio.example", full_name="New Person", user_type="OT",
             default_clinic_id=None, clinic_ids=[], supervising_therapist_id=None,
             catalog=ident.catalog, mailer=mailer, now=datetime.now(UTC))
    token = mailer.token_for("new@harbourphysio.example")
    weak = client.post("/password/set", json={"token": token,
                                              "password": "harbourphysio"})
    assert weak.status_code == 422
    assert set(weak.get_json()["error"]["details"]["reasons"]) >= {"contains_practice_name"}
    body = {"token": token, "password": "violet lantern orchard"}
    assert client.post("/password/set", json=body).status_code == 204
    assert client.post("/password/set", json=body).status_code == 410
    signed_in = client.post("/login", json={"email": "new@harbourphysio.example",
                                            "password": "violet lantern orchard"})
    assert signed_in.status_code == 200


def _forged(ident, practice, *, key=None, alg="EdDSA", **claims) -> str:
    now = int(time.time())
    payload = {"sub": practice.owner_id, "org": practice.id, "kind": "staff", "perms": [],
               "clinics": [], "pv": 1, "iat": now, "exp": now + 600,
               "iss": ident.config.jwt_issuer, "aud": ident.config.jwt_audience, **claims}
    signing = ident.keys.current
    return jwt.encode(payload, key or signing.private_key, algorithm=alg,
                      headers={"kid": signing.kid})


@pytest.mark.parametrize("forge", ["expired", "wrong_key", "alg_none", "wrong_aud", "valid"])
def test_tokens_that_cannot_be_trusted_are_refused(forge, client, practice, ident):
    past = datetime.now(UTC) - timedelta(hours=1)
    token = {
        "expired": lambda: _forged(ident, practice, iat=int(past.timestamp()),
                                   exp=int(past.timestamp()) + 600),
        "wrong_key": lambda: _forged(ident, practice, key=Ed25519PrivateKey.generate()),
        "alg_none": lambda: jwt.encode(
            {"sub": practice.owner_id, "kind": "staff"}, None, algorithm="none",
            headers={"kid": ident.keys.current.kid}),
        "wrong_aud": lambda: _forged(ident, practice, aud="someone-else"),
        "valid": lambda: _forged(ident, practice),
    }[forge]()
    response = client.get("/users", headers=bearer(token))
    assert response.status_code == (200 if forge == "valid" else 401)
