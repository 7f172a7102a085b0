"""Vendor support staff: access grants, sign-in under a grant, and a grant's end stopping it."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from click.testing import CliRunner

from identity.adapters.tables import clinics
from identity.bootstrap import Identity
from identity.cli import main
from identity.domain.errors import InvalidRequest
from identity.service_layer.vendor import add_vendor_staff
from identity.spec import SPEC
from servicekit.migrations import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from identity_accounts import (  # noqa: E402
    PASSWORD,
    VENDOR_DOMAIN,
    bearer,
    events,
    new_grant,
    new_vendor_staff,
    sign_in,
)

pytestmark = pytest.mark.integration
ADMIN = f"support-admin@{VENDOR_DOMAIN}"
SUPPORT = f"support@{VENDOR_DOMAIN}"
OWNER = "owner@harbourphysio.example"


@pytest.fixture
def vendor(ident):
    """A support admin and a support employee of the vendor."""
    return {"admin": new_vendor_staff(ident, "support-admin", support_admin=True),
            "support": new_vendor_staff(ident, "support")}


def token(client, email: str, **kwargs) -> str:
    response = sign_in(client, email, **kwargs)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def claims_of(access_token: str) -> dict:
    return jwt.decode(access_token, options={"verify_signature": False})


def assert_revoked(response) -> None:
    """A token of a session that ended with its grant, or of a grant no longer active."""
    assert (response.status_code, response.get_json()["error"]["code"]) in {
        (401, "session_ended"), (403, "no_active_access_grant")}, response.get_json()


def grant_body(practice, vendor, **overrides) -> dict:
    ends = datetime.now(UTC) + timedelta(hours=2)
    return {"practice_id": practice.id, "user_id": vendor["support"],
            "purpose": "Ticket 4411: fix a user type", "ends_at": ends.isoformat(), **overrides}


def test_a_support_admin_grants_access_and_the_practice_admins_see_it(
    client, ident, practice, other_practice, vendor, login
):
    admin = token(client, ADMIN, account="vendor")
    granted = client.post("/vendor/grants", json=grant_body(practice, vendor),
                          headers=bearer(admin))
    assert granted.status_code == 201, granted.get_json()
    grant = granted.get_json()
    assert grant["active"] is True and grant["email"] == SUPPORT
    [event] = events(ident, "identity.access_grant.granted")
    assert event["org_id"] == practice.id and event["actor"]["id"] == vendor["admin"]
    assert event["data"]["user_id"] == vendor["support"]
    assert event["data"]["purpose"] == "Ticket 4411: fix a user type"
    assert event["data"]["email_domain"] == VENDOR_DOMAIN
    owner = bearer(login(OWNER)["access_token"])
    assert [g["id"] for g in client.get("/access-grants", headers=owner).get_json()] == [
        grant["id"]]
    elsewhere = bearer(login("owner@bayside.example")["access_token"])
    assert client.get("/access-grants", headers=elsewhere).get_json() == []
    therapist = bearer(login("therapist@harbourphysio.example")["access_token"])
    assert client.get("/access-grants", headers=therapist).status_code == 403


def test_only_a_support_admin_grants_or_revokes(client, ident, practice, vendor):
    support = token(client, SUPPORT, account="vendor")
    refused = client.post("/vendor/grants", json=grant_body(practice, vendor),
                          headers=bearer(support))
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "not_a_support_admin"
    grant = new_grant(ident, vendor["admin"], vendor["support"], practice.id)
    revoke = client.post(f"/vendor/grants/{grant.grant.id}/revoke", headers=bearer(support))
    assert revoke.status_code == 403
    assert events(ident, "identity.access_grant.revoked") == []


@pytest.mark.parametrize("change, status", [
    ({"ends_at": "2001-01-01T00:00:00+00:00"}, 422),
    ({"starts_at": "2100-01-02T00:00:00+00:00", "ends_at": "2100-01-01T00:00:00+00:00"}, 422),
    ({"ends_at": "2100-01-01T00:00:00"}, 422),  # no time zone
    ({"ends_at": "9999-12-31T23:59:00-23:00"}, 422),  # past the calendar in UTC
    ({"purpose": "   "}, 422),
    ({"practice_id": "no-such-practice"}, 404),
    ({"user_id": "no-such-user"}, 404),
])
def test_a_grant_needs_a_purpose_a_future_end_a_practice_and_vendor_staff(
    change, status, client, practice, vendor
):
    admin = token(client, ADMIN, account="vendor")
    response = client.post("/vendor/grants", json=grant_body(practice, vendor, **change),
                           headers=bearer(admin))
    assert response.status_code == status, response.get_json()


def test_a_practice_member_cannot_be_granted_vendor_access(client, practice, vendor):
    admin = token(client, ADMIN, account="vendor")
    body = grant_body(practice, vendor, user_id=practice.users["therapist"])
    assert client.post("/vendor/grants", json=body, headers=bearer(admin)).status_code == 404


def test_a_vendor_signs_in_to_a_practice_only_under_an_active_grant(client, ident, practice,
                                                                     vendor):
    refused = sign_in(client, SUPPORT, account="vendor", practice_id=practice.id)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "no_active_access_grant"
    [failure] = events(ident, "identity.session.sign_in_failed")
    assert failure["org_id"] == practice.id
    assert failure["data"]["reason"] == "no_active_access_grant"

    grant = new_grant(ident, vendor["admin"], vendor["support"], practice.id)
    claims = claims_of(token(client, SUPPORT, account="vendor", practice_id=practice.id))
    assert claims["kind"] == "vendor" and claims["org"] == practice.id
    assert claims["perms"] == ["view_patients"] and claims["user_type"] is None
    assert claims["clinics"] == [practice.clinic_id]
    [used] = events(ident, "identity.access_grant.used")
    assert used["org_id"] == practice.id and used["data"]["grant_id"] == grant.grant.id
    assert used["actor"]["kind"] == "vendor"
    signed_in = events(ident, "identity.session.signed_in")[-1]
    assert signed_in["org_id"] == practice.id


def test_a_vendor_outside_any_practice_holds_nothing(client, practice, vendor):
    claims = claims_of(token(client, SUPPORT, account="vendor"))
    assert claims["org"] is None and claims["perms"] == [] and claims["clinics"] == []
    assert sign_in(client, SUPPORT).status_code == 401  # never as staff


def test_vendor_support_changes_a_user_type_under_a_grant_and_not_after_revocation(
    client, ident, practice, vendor, login
):
    grant = new_grant(ident, vendor["admin"], vendor["support"], practice.id)
    tokens = sign_in(client, SUPPORT, account="vendor", practice_id=practice.id).get_json()
    support = bearer(tokens["access_token"])
    target = practice.users["assistant"]
    changed = client.put(f"/users/{target}/user-type", json={"user_type": "PT"}, headers=support)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["user_type"] == "PT"
    [event] = events(ident, "identity.user.type_changed")
    assert event["actor"]["kind"] == "vendor" and event["org_id"] == practice.id
    me = client.get("/me", headers=support).get_json()
    assert me["access_grant"]["id"] == grant.grant.id and me["org_id"] == practice.id

    admin = bearer(token(client, ADMIN, account="vendor"))
    revoked = client.post(f"/vendor/grants/{grant.grant.id}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.get_json()["active"] is False
    assert events(ident, "identity.access_grant.revoked")[0]["data"]["sessions_revoked"] == 1
    # The same, still unexpired token stops working at once: its session ended with the
    # grant (401 session_ended), and the grant is checked on every request anyway (403).
    again = client.put(f"/users/{target}/user-type", json={"user_type": "PTA"}, headers=support)
    assert_revoked(again)
    assert_revoked(client.get("/me", headers=support))
    refresh = client.post("/token/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401
    assert client.post(f"/vendor/grants/{grant.grant.id}/revoke",
                       headers=admin).status_code == 409


def test_a_grant_that_ends_stops_the_vendor_at_its_end(
    client, ident, practice, vendor, monkeypatch
):
    grant = new_grant(ident, vendor["admin"], vendor["support"], practice.id, hours=1)
    tokens = sign_in(client, SUPPORT, account="vendor", practice_id=practice.id).get_json()
    support = bearer(tokens["access_token"])
    target = practice.users["assistant"]
    monkeypatch.setattr(Identity, "now", staticmethod(lambda: grant.grant.ends_at))
    ended = client.put(f"/users/{target}/user-type", json={"user_type": "PT"}, headers=support)
    assert ended.status_code == 403
    refresh = client.post("/token/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401
    assert refresh.get_json()["error"]["details"]["reason"] == "access_grant_ended"


def test_a_practice_admin_still_cannot_change_a_user_type(client, practice, login):
    owner = bearer(login(OWNER)["access_token"])
    response = client.put(f"/users/{practice.users['assistant']}/user-type",
                          json={"user_type": "PT"}, headers=owner)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "user_type_change_needs_support"


def test_a_grant_for_one_practice_does_not_open_another(client, ident, practice,
                                                        other_practice, vendor):
    new_grant(ident, vendor["admin"], vendor["support"], practice.id)
    refused = sign_in(client, SUPPORT, account="vendor", practice_id=other_practice.id)
    assert refused.status_code == 403
    support = bearer(token(client, SUPPORT, account="vendor", practice_id=practice.id))
    elsewhere = client.put(f"/users/{other_practice.owner_id}/user-type",
                           json={"user_type": "OT"}, headers=support)
    assert elsewhere.status_code == 404


def test_vendor_staff_list_their_own_grants_and_admins_all(client, ident, practice,
                                                           other_practice, vendor):
    other = new_vendor_staff(ident, "rcm")
    new_grant(ident, vendor["admin"], vendor["support"], practice.id)
    new_grant(ident, vendor["admin"], other, other_practice.id, purpose="Month-end billing")
    admin = bearer(token(client, ADMIN, account="vendor"))
    support = bearer(token(client, SUPPORT, account="vendor"))
    assert len(client.get("/vendor/grants", headers=admin).get_json()) == 2
    own = client.get("/vendor/grants", headers=support).get_json()
    assert [g["user_id"] for g in own] == [vendor["support"]]


def test_vendor_staff_have_the_vendor_domain(ident):
    with pytest.raises(InvalidRequest, match="vendor's own email domain"):
        add_vendor_staff(ident.uow(), email="someone@harbourphysio.example", full_name="X",
                         support_admin=False, password=None, vendor_name="Clinic Platform",
                         vendor_domain=VENDOR_DOMAIN, hashing=ident.hashing,
                         now=datetime.now(UTC))


def test_the_cli_adds_vendor_staff_and_prints_a_setup_token(tmp_path, sqlite_url, monkeypatch):
    monkeypatch.setenv("IDENTITY_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("LOCAL_DIR", str(tmp_path))
    upgrade(SPEC.migrations_dir, sqlite_url)
    args = ["vendor-staff", "add", "--email", f"Lead@{VENDOR_DOMAIN}", "--name", "Lead Support",
            "--support-admin"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "support admin" in result.output and "/app/get-started?token=" in result.output
    again = CliRunner().invoke(main, args)
    assert again.exit_code != 0 and "already" in again.output
    wrong = CliRunner().invoke(main, ["vendor-staff", "add", "--email", "x@elsewhere.example",
                                      "--name", "X", "--password", PASSWORD])
    assert wrong.exit_code != 0 and "domain" in wrong.output


def test_vendor_staff_without_a_password_set_one_with_the_printed_token(client, ident):
    added = add_vendor_staff(ident.uow(), email=f"new.hire@{VENDOR_DOMAIN}", full_name="New Hire",
                             support_admin=False, password=None, vendor_name="Clinic Platform",
                             vendor_domain=VENDOR_DOMAIN, hashing=ident.hashing,
                             now=datetime.now(UTC))
    body = {"token": added.password_setup_token, "password": "quiet meadow lantern river"}
    assert client.post("/password/set", json=body).status_code == 204
    signed_in = sign_in(client, f"new.hire@{VENDOR_DOMAIN}", account="vendor",
                        password="quiet meadow lantern river")
    assert signed_in.status_code == 200
    [created] = events(ident, "identity.vendor_staff.created")
    assert created["org_id"] is None and created["data"]["kind"] == "vendor"
    assert created["data"]["email_domain"] == VENDOR_DOMAIN
    assert created["data"]["is_support_admin"] is False


def test_a_vendor_reads_users_and_clinics_under_a_grant_and_writes_nothing_else(
    client, ident, practice, vendor
):
    new_grant(ident, vendor["admin"], vendor["support"], practice.id)
    support = bearer(token(client, SUPPORT, account="vendor", practice_id=practice.id))
    listed = client.get("/users", headers=support)
    assert listed.status_code == 200
    assert practice.users["assistant"] in {u["id"] for u in listed.get_json()}
    assert all("permissions" in u for u in listed.get_json())  # support fixes profiles
    one = client.get(f"/users/{practice.users['assistant']}", headers=support)
    assert one.status_code == 200 and one.get_json()["user_type"] == "PTA"
    clinics = client.get("/clinics", headers=support)
    assert [c["id"] for c in clinics.get_json()] == [practice.clinic_id]
    assistant = practice.users["assistant"]
    writes = [
        client.post("/users", headers=support, json={"email": "x@harbourphysio.example",
                                                     "full_name": "X", "user_type": "PT"}),
        client.patch(f"/users/{assistant}/permissions", headers=support,
                     json={"grant": ["finish_notes"]}),
        client.post(f"/users/{assistant}/deactivate", headers=support, json={}),
        client.patch(f"/clinics/{practice.clinic_id}/settings", headers=support,
                     json={"assistants_may_finalize": False}),
        client.put("/practice/billing-integration", headers=support,
                   json={"billing_integration": "ClaimPro"}),
        client.post("/invitations", headers=support, json={
            "full_name": "Sam Lee", "email": "sam@harbourphysio.example",
            "practice_role": "front_desk"}),
    ]
    assert [w.status_code for w in writes] == [403] * len(writes)


def test_a_vendor_reads_nothing_once_the_grant_is_revoked(client, ident, practice, vendor):
    grant = new_grant(ident, vendor["admin"], vendor["support"], practice.id)
    support = bearer(token(client, SUPPORT, account="vendor", practice_id=practice.id))
    assert client.get("/users", headers=support).status_code == 200
    admin = bearer(token(client, ADMIN, account="vendor"))
    assert client.post(f"/vendor/grants/{grant.grant.id}/revoke",
                       headers=admin).status_code == 200
    for path in ("/users", f"/users/{practice.owner_id}", "/clinics"):
        assert_revoked(client.get(path, headers=support))


def test_a_billing_users_type_changes_only_from_their_default_clinic(
    client, ident, practice, vendor, add_person, login
):
    biller = add_person(practice, "biller", "Billing", "biller@harbourphysio.example")
    with ident.uow() as uow:  # a second location of the same practice
        uow.session.execute(clinics.insert().values(
            id="clinic-annex", org_id=practice.id, name="Annex", assistants_may_finalize=True,
            created_at=datetime.now(UTC)))
        uow.commit()
    new_grant(ident, vendor["admin"], vendor["support"], practice.id)
    support = bearer(token(client, SUPPORT, account="vendor", practice_id=practice.id))
    url = f"/users/{biller}/user-type"
    for acting in (None, "clinic-annex"):
        refused = client.put(url, headers=support,
                             json={"user_type": "Front Office", "acting_clinic_id": acting})
        assert refused.status_code == 403
        assert refused.get_json()["error"]["code"] == "wrong_clinic_for_billing_user"
    owner = bearer(login(OWNER)["access_token"])
    from_home = {"user_type": "Front Office", "acting_clinic_id": practice.clinic_id}
    practice_admin = client.put(url, headers=owner, json=from_home)
    assert practice_admin.status_code == 403  # a practice still asks support
    assert practice_admin.get_json()["error"]["code"] == "user_type_change_needs_support"
    changed = client.put(url, headers=support, json=from_home)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["user_type"] == "Front Office"
    elsewhere = client.put(f"/users/{practice.users['assistant']}/user-type", headers=support,
                           json={"user_type": "PT", "acting_clinic_id": "no-such-clinic"})
    assert elsewhere.status_code == 403
