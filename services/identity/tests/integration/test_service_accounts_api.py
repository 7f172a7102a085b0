"""Service accounts over HTTP: Admins create, list, rotate and revoke; machines get tokens."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import jwt
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from identity_accounts import VENDOR_DOMAIN, bearer, events, new_vendor_staff, sign_in  # noqa: E402

pytestmark = pytest.mark.integration
OWNER = "owner@harbourphysio.example"


def admin_headers(login, email: str = OWNER) -> dict[str, str]:
    return bearer(login(email)["access_token"])


def create(client, headers, name: str = "SIEM feed", scope: str = "view_audit"):
    return client.post("/service-accounts", json={"name": name, "scope": scope},
                       headers=headers)


def token_for(client, client_id: str, client_secret: str, **form):
    return client.post("/oauth/token", data={"grant_type": "client_credentials",
                                             "client_id": client_id,
                                             "client_secret": client_secret, **form})


def claims_of(access_token: str) -> dict:
    return jwt.decode(access_token, options={"verify_signature": False})


@pytest.fixture
def siem(client, practice, login) -> dict:
    created = create(client, admin_headers(login))
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def test_an_admin_creates_an_account_and_sees_its_secret_only_once(
    client, ident, practice, login, siem
):
    assert siem["client_secret"] and siem["client_id"].startswith("svc_")
    assert (siem["org_id"], siem["scope"], siem["kind"], siem["active"]) == (
        practice.id, "view_audit", "service", True)
    listed = client.get("/service-accounts", headers=admin_headers(login)).get_json()
    assert [a["id"] for a in listed] == [siem["id"]]
    assert "client_secret" not in listed[0]
    [event] = events(ident, "identity.service_account.created")
    assert event["subject"] == {"type": "user", "id": siem["id"]}
    assert event["data"]["permission_version"] == 1 and event["org_id"] == practice.id
    assert siem["client_secret"] not in str(event)


def test_a_service_account_takes_no_licensed_seat(client, new_practice, login):
    new_practice("Tiny Physio", "owner@tinyphysio.example", seats=1)
    headers = admin_headers(login, "owner@tinyphysio.example")
    assert create(client, headers).status_code == 201
    refused = client.post("/users", headers=headers, json={
        "email": "pt@tinyphysio.example", "full_name": "Pat Tee", "user_type": "PT"})
    assert refused.get_json()["error"]["code"] == "seat_limit_reached"


def test_the_token_is_a_service_token_of_the_practice_with_the_scopes_permissions(
    client, practice, siem
):
    response = token_for(client, siem["client_id"], siem["client_secret"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["token_type"], body["scope"], body["expires_in"]) == ("Bearer", "view_audit",
                                                                        600)
    assert response.headers["Cache-Control"] == "no-store"
    claims = claims_of(body["access_token"])
    assert (claims["kind"], claims["org"], claims["sub"], claims["perms"], claims["pv"]) == (
        "service", practice.id, siem["id"], ["view_audit"], 1)
    assert claims["sid"]


def test_http_basic_works_like_the_body(client, siem):
    basic = base64.b64encode(f"{siem['client_id']}:{siem['client_secret']}".encode()).decode()
    response = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                           headers={"Authorization": f"Basic {basic}"})
    assert response.status_code == 200, response.get_json()
    both = client.post("/oauth/token", headers={"Authorization": f"Basic {basic}"}, data={
        "grant_type": "client_credentials", "client_secret": siem["client_secret"]})
    assert (both.status_code, both.get_json()["error"]["code"]) == (400, "invalid_request")


def test_a_wrong_secret_and_an_unknown_client_get_the_same_401(client, ident, siem):
    wrong = token_for(client, siem["client_id"], "not-the-secret")
    unknown = token_for(client, "svc_nobody", "not-the-secret")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["error"]["code"] == "invalid_client"
    assert wrong.headers["WWW-Authenticate"].startswith("Basic")
    [refusal] = events(ident, "identity.service_account.token_refused")
    assert refusal["data"]["service_account_id"] == siem["id"]


def test_only_the_client_credentials_grant_is_served(client, siem):
    password = token_for(client, siem["client_id"], siem["client_secret"],
                         grant_type="password")
    assert (password.status_code, password.get_json()["error"]["code"]) == (
        400, "unsupported_grant_type")
    as_json = client.post("/oauth/token", json={"grant_type": "client_credentials"})
    assert (as_json.status_code, as_json.get_json()["error"]["code"]) == (400, "invalid_request")
    other_scope = token_for(client, siem["client_id"], siem["client_secret"], scope="security")
    assert other_scope.get_json()["error"]["code"] == "invalid_scope"


def test_rotation_stops_the_old_secret_and_outdates_its_tokens(client, ident, login, siem):
    rotated = client.post(f"/service-accounts/{siem['id']}/rotate",
                          headers=admin_headers(login))
    assert rotated.status_code == 200, rotated.get_json()
    new_secret = rotated.get_json()["client_secret"]
    assert new_secret != siem["client_secret"] and rotated.get_json()["version"] == 2
    assert token_for(client, siem["client_id"], siem["client_secret"]).status_code == 401
    fresh = token_for(client, siem["client_id"], new_secret)
    assert claims_of(fresh.get_json()["access_token"])["pv"] == 2
    [event] = events(ident, "identity.service_account.rotated")
    assert event["subject"] == {"type": "user", "id": siem["id"]}
    assert event["data"]["permission_version"] == 2


def test_a_revoked_account_gets_no_token(client, ident, login, siem):
    revoked = client.post(f"/service-accounts/{siem['id']}/revoke",
                          headers=admin_headers(login))
    assert revoked.status_code == 200
    assert revoked.get_json()["active"] is False
    assert token_for(client, siem["client_id"], siem["client_secret"]).status_code == 401
    [event] = events(ident, "identity.service_account.revoked")
    assert event["data"]["permission_version"] == 2
    again = client.post(f"/service-accounts/{siem['id']}/rotate", headers=admin_headers(login))
    assert again.status_code == 409


def test_another_practices_admin_neither_sees_nor_changes_them(
    client, other_practice, login, siem
):
    theirs = admin_headers(login, "owner@bayside.example")
    assert client.get("/service-accounts", headers=theirs).get_json() == []
    for action in ("rotate", "revoke"):
        response = client.post(f"/service-accounts/{siem['id']}/{action}", headers=theirs)
        assert response.status_code == 404, action


def test_only_admins_manage_service_accounts(client, practice, login, siem):
    therapist = bearer(login("therapist@harbourphysio.example")["access_token"])
    assert create(client, therapist).get_json()["error"]["code"] == "not_a_user_manager"
    assert client.get("/service-accounts", headers=therapist).status_code == 403
    assert client.post(f"/service-accounts/{siem['id']}/revoke",
                       headers=therapist).status_code == 403


def test_a_practice_cannot_give_the_vendor_wide_security_scope(client, practice, login):
    refused = create(client, admin_headers(login), scope="security")
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"]["known"] == ["view_audit"]


def test_a_service_token_opens_no_staff_route(client, siem):
    access = token_for(client, siem["client_id"], siem["client_secret"]).get_json()
    response = client.get("/users", headers=bearer(access["access_token"]))
    assert (response.status_code, response.get_json()["error"]["code"]) == (
        403, "kind_not_allowed")



def test_identity_itself_refuses_a_rotated_accounts_older_tokens(client, login, siem):
    old = token_for(client, siem["client_id"], siem["client_secret"]).get_json()
    client.post(f"/service-accounts/{siem['id']}/rotate", headers=admin_headers(login))
    response = client.get("/users", headers=bearer(old["access_token"]))
    assert (response.status_code, response.get_json()["error"]["code"]) == (
        401, "token_outdated")

# --- the vendor's accounts ---------------------------------------------------------------

def vendor_token(client, local_part: str) -> dict[str, str]:
    response = sign_in(client, f"{local_part}@{VENDOR_DOMAIN}", account="vendor")
    assert response.status_code == 200, response.get_json()
    return bearer(response.get_json()["access_token"])


@pytest.fixture
def support_admin(client, ident) -> dict[str, str]:
    new_vendor_staff(ident, "support-admin", support_admin=True)
    return vendor_token(client, "support-admin")


def test_the_vendor_security_account_reads_every_practice(client, ident, support_admin):
    created = client.post("/vendor/service-accounts", headers=support_admin,
                          json={"scope": "security", "name": "Vendor SOC"})
    assert created.status_code == 201, created.get_json()
    account = created.get_json()
    assert account["org_id"] is None
    claims = claims_of(token_for(client, account["client_id"], account["client_secret"])
                       .get_json()["access_token"])
    assert (claims["kind"], claims["org"], claims["perms"]) == ("service", None, ["view_audit"])
    listed = client.get("/vendor/service-accounts", headers=support_admin).get_json()
    assert [a["id"] for a in listed] == [account["id"]]


def test_only_support_admins_make_vendor_accounts(client, ident, support_admin):
    new_vendor_staff(ident, "support")
    refused = client.post("/vendor/service-accounts", headers=vendor_token(client, "support"),
                          json={"scope": "security", "name": "Mine"})
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (
        403, "not_a_support_admin")
    practice_scope = client.post("/vendor/service-accounts", headers=support_admin,
                                 json={"scope": "view_audit", "name": "x"})
    assert practice_scope.status_code == 422


def test_the_automation_profile_signs_in_with_client_credentials(
    client, ident, practice, login, support_admin
):
    created = client.post("/vendor/service-accounts", headers=support_admin,
                          json={"scope": "automation", "practice_id": practice.id})
    assert created.status_code == 201, created.get_json()
    creds = created.get_json()
    assert (creds["kind"], creds["token_subject"]) == ("automation", practice.automation_id)
    claims = claims_of(token_for(client, creds["client_id"], creds["client_secret"])
                       .get_json()["access_token"])
    assert (claims["kind"], claims["sub"], claims["org"]) == (
        "automation", practice.automation_id, practice.id)
    assert claims["perms"] == ["edit_patients", "view_patients"]  # the profile's own
    twice = client.post("/vendor/service-accounts", headers=support_admin,
                        json={"scope": "automation", "practice_id": practice.id})
    assert twice.status_code == 409

    # The practice sees them, but cannot change them.
    owner = admin_headers(login)
    assert [a["kind"] for a in client.get("/service-accounts", headers=owner).get_json()] == [
        "automation"]
    protected = client.post(f"/service-accounts/{creds['id']}/revoke", headers=owner)
    assert protected.get_json()["error"]["code"] == "automation_profile_protected"

    # Rotating raises the profile's own permission version: its older tokens stop everywhere.
    rotated = client.post(f"/vendor/service-accounts/{creds['id']}/rotate",
                          headers=support_admin)
    assert rotated.status_code == 200
    [event] = events(ident, "identity.service_account.rotated")
    assert event["subject"] == {"type": "user", "id": practice.automation_id}
    assert event["data"]["permission_version"] == claims["pv"] + 1
    fresh = token_for(client, creds["client_id"], rotated.get_json()["client_secret"])
    assert claims_of(fresh.get_json()["access_token"])["pv"] == claims["pv"] + 1
