"""Recipient accounts: registration with the portal's email proof, sign-in, tokens, /me."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import jwt
import pytest
from sqlalchemy.exc import IntegrityError

from identity.adapters.repository import IdentityRepository
from identity.domain.users import User, UserKind

sys.path.insert(0, str(Path(__file__).parent))
from identity_accounts import (  # noqa: E402
    PASSWORD,
    bearer,
    email_proof,
    events,
    new_recipient,
    sign_in,
)

pytestmark = pytest.mark.integration
RECIPIENT = "avery.lane@orthoclinic.example"


def register(client, ident, email=RECIPIENT, password="violet lantern orchard", **claims):
    proof = email_proof(ident.config.recipient_proof_secret, email, **claims)
    return client.post("/recipients/register",
                       json={"proof": proof, "full_name": "Dr Avery Lane", "password": password})


def test_a_proven_email_registers_a_recipient_of_no_practice(client, ident):
    response = register(client, ident)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["email"] == RECIPIENT and body["kind"] == "recipient"
    [event] = events(ident, "identity.recipient.registered")
    assert event["org_id"] is None and event["subject"] == {"type": "user", "id": body["id"]}
    assert event["data"]["kind"] == "recipient"
    assert event["data"]["email_domain"] == "orthoclinic.example"


def test_an_email_registers_once_whatever_its_case(client, ident):
    assert register(client, ident).status_code == 201
    again = register(client, ident, email=RECIPIENT.upper())
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "recipient_exists"
    assert "Sign in instead" in again.get_json()["error"]["message"]


@pytest.mark.parametrize("forgery", ["wrong_secret", "expired", "wrong_audience", "wrong_issuer",
                                     "no_jti", "too_long_lived", "hs512", "alg_none", "garbage"])
def test_a_proof_that_is_not_the_portals_is_refused(forgery, client, ident):
    secret = ident.config.recipient_proof_secret
    now = int(time.time())
    proof = {
        "wrong_secret": lambda: email_proof("another secret of enough length!", RECIPIENT),
        "expired": lambda: email_proof(secret, RECIPIENT, iat=now - 3600, exp=now - 1800),
        "wrong_audience": lambda: email_proof(secret, RECIPIENT, aud="clinic-identity:other"),
        "wrong_issuer": lambda: email_proof(secret, RECIPIENT, iss="someone-else"),
        "no_jti": lambda: email_proof(secret, RECIPIENT, jti=None),
        "too_long_lived": lambda: email_proof(secret, RECIPIENT, lifetime=7 * 24 * 3600),
        "hs512": lambda: jwt.encode(jwt.decode(email_proof(secret, RECIPIENT), secret,
                                               algorithms=["HS256"], audience="clinic-identity:"
                                               "recipient-registration"), secret,
                                    algorithm="HS512"),
        "alg_none": lambda: jwt.encode({"sub": RECIPIENT}, None, algorithm="none"),
        "garbage": lambda: "not-a-token",
    }[forgery]()
    response = client.post("/recipients/register", json={
        "proof": proof, "full_name": "Dr Avery Lane", "password": "violet lantern orchard"})
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] == "invalid_proof"
    assert events(ident, "identity.recipient.registered") == []


def test_a_weak_password_is_refused_as_for_password_set(client, ident):
    response = register(client, ident, password="avery.lane")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "password_rejected"
    assert "too_short" in response.get_json()["error"]["details"]["reasons"]


def test_a_recipient_token_carries_no_practice_and_no_permissions(client, ident):
    user_id = new_recipient(ident, RECIPIENT)
    response = sign_in(client, RECIPIENT, account="recipient")
    assert response.status_code == 200, response.get_json()
    tokens = response.get_json()
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["kind"] == "recipient" and claims["sub"] == user_id
    assert claims["org"] is None and claims["perms"] == [] and claims["clinics"] == []
    assert claims["user_type"] is None and claims["email"] == RECIPIENT
    me = client.get("/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200, me.get_json()
    assert me.get_json()["kind"] == "recipient" and me.get_json()["permissions"] == []
    assert client.get("/users", headers=bearer(tokens["access_token"])).status_code == 403


def test_recipient_and_staff_accounts_never_sign_in_for_one_another(
    client, ident, practice, add_person
):
    new_recipient(ident, RECIPIENT)
    assert sign_in(client, RECIPIENT).status_code == 401  # account defaults to staff
    staff = "therapist@harbourphysio.example"
    assert sign_in(client, staff, account="recipient").status_code == 401
    # The same address may hold a staff account and a recipient account, apart.
    new_recipient(ident, staff)
    as_staff = sign_in(client, staff).get_json()["access_token"]
    as_recipient = sign_in(client, staff, account="recipient").get_json()["access_token"]
    assert jwt.decode(as_staff, options={"verify_signature": False})["kind"] == "staff"
    assert jwt.decode(as_recipient, options={"verify_signature": False})["kind"] == "recipient"


def test_a_recipient_refreshes_and_signs_out_like_staff(client, ident):
    new_recipient(ident, RECIPIENT)
    tokens = sign_in(client, RECIPIENT, account="recipient").get_json()
    refreshed = client.post("/token/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    claims = jwt.decode(refreshed.get_json()["access_token"],
                        options={"verify_signature": False})
    assert claims["kind"] == "recipient" and claims["org"] is None and claims["perms"] == []
    rotated = refreshed.get_json()["refresh_token"]
    assert client.post("/logout", json={"refresh_token": rotated}).status_code == 204
    assert client.post("/token/refresh", json={"refresh_token": rotated}).status_code == 401


def test_a_recipient_names_no_practice_at_sign_in(client, ident, practice):
    new_recipient(ident, RECIPIENT)
    response = sign_in(client, RECIPIENT, account="recipient", practice_id=practice.id)
    assert response.status_code == 422


def test_a_wrong_recipient_password_counts_toward_the_same_lock(client, ident):
    new_recipient(ident, RECIPIENT)
    wrong = sign_in(client, RECIPIENT, account="recipient", password="not " + PASSWORD)
    unknown = sign_in(client, "nobody@orthoclinic.example", account="recipient")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    [failed, _] = events(ident, "identity.session.sign_in_failed")
    assert failed["org_id"] is None


def test_the_database_itself_keeps_one_recipient_per_email(ident):
    """Two registrations that raced past the check: the partial unique index refuses one."""
    def recipient(user_id: str) -> User:
        return User(id=user_id, practice_id=None, email=RECIPIENT, full_name="A",
                    user_type=None, kind=UserKind.RECIPIENT)

    new_recipient(ident, RECIPIENT)
    with pytest.raises(IntegrityError), ident.uow() as uow:
        IdentityRepository(uow.session).add_user(recipient("raced-1"), datetime.now(UTC))
        uow.commit()
    # A vendor employee or staff member may still share the address: one per kind.
    with ident.uow() as uow:
        IdentityRepository(uow.session).add_user(
            User(id="vendor-1", practice_id=None, email=RECIPIENT, full_name="V",
                 user_type=None, kind=UserKind.VENDOR), datetime.now(UTC))
        uow.commit()
