"""Vendor access grants are bounded, scoped, on the record, and the practice revokes them."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from identity_accounts import (  # noqa: E402
    VENDOR_DOMAIN,
    bearer,
    events,
    new_grant,
    new_vendor_staff,
    sign_in,
)

pytestmark = pytest.mark.integration
ADMIN = f"support-admin@{VENDOR_DOMAIN}"
BILLER = f"rcm@{VENDOR_DOMAIN}"
OWNER = "owner@harbourphysio.example"


@pytest.fixture
def vendor(ident):
    return {"admin": new_vendor_staff(ident, "support-admin", support_admin=True),
            "rcm": new_vendor_staff(ident, "rcm")}


def token(client, email: str, **kwargs) -> str:
    response = sign_in(client, email, **kwargs)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def grant_body(practice, user_id: str, *, days: float = 1, **overrides) -> dict:
    ends = datetime.now(UTC) + timedelta(days=days)
    return {"practice_id": practice.id, "user_id": user_id, "scope": "revenue_cycle",
            "purpose": "Month-end claims", "ends_at": ends.isoformat(), **overrides}


@pytest.mark.parametrize("days", [30.01, 31, 365 * 100])
def test_a_grant_longer_than_thirty_days_is_refused(days, client, ident, practice, vendor):
    admin = bearer(token(client, ADMIN, account="vendor"))
    refused = client.post("/vendor/grants", json=grant_body(practice, vendor["rcm"], days=days),
                          headers=admin)
    assert refused.status_code == 422, refused.get_json()
    assert refused.get_json()["error"]["code"] == "access_grant_too_long"
    assert "at most 30 days" in refused.get_json()["error"]["message"]
    assert events(ident, "identity.access_grant.granted") == []


def test_a_thirty_day_grant_is_accepted(client, practice, vendor):
    admin = bearer(token(client, ADMIN, account="vendor"))
    now = datetime.now(UTC)
    body = grant_body(practice, vendor["rcm"], starts_at=now.isoformat(),
                      ends_at=(now + timedelta(days=30)).isoformat())
    assert client.post("/vendor/grants", json=body, headers=admin).status_code == 201


def test_a_support_admin_cannot_grant_themselves_access(client, ident, practice, vendor):
    admin = bearer(token(client, ADMIN, account="vendor"))
    refused = client.post("/vendor/grants", json=grant_body(practice, vendor["admin"]),
                          headers=admin)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "self_grant_refused"
    assert events(ident, "identity.access_grant.granted") == []


def test_an_unknown_scope_is_refused(client, practice, vendor):
    admin = bearer(token(client, ADMIN, account="vendor"))
    body = grant_body(practice, vendor["rcm"], scope="everything")
    assert client.post("/vendor/grants", json=body, headers=admin).status_code == 422


def test_a_revenue_cycle_token_carries_the_scopes_permissions_and_ends_with_the_grant(
    client, ident, practice, vendor
):
    admin = bearer(token(client, ADMIN, account="vendor"))
    granted = client.post("/vendor/grants", json=grant_body(practice, vendor["rcm"], days=0.01),
                          headers=admin)
    assert granted.status_code == 201, granted.get_json()
    assert granted.get_json()["scope"] == "revenue_cycle"
    assert granted.get_json()["permissions"] == ["view_patients"]
    [event] = events(ident, "identity.access_grant.granted")
    assert event["data"]["scope"] == "revenue_cycle"
    claims = jwt.decode(token(client, BILLER, account="vendor", practice_id=practice.id),
                        options={"verify_signature": False})
    assert (claims["kind"], claims["org"], claims["perms"]) == (
        "vendor", practice.id, ["view_patients"])
    ends_at = datetime.fromisoformat(granted.get_json()["ends_at"])
    assert claims["exp"] <= int(ends_at.timestamp())  # 14 minutes: not the full 10 + change
    assert claims["sid"]


def test_revenue_cycle_reads_the_practices_people_but_changes_no_user_type(
    client, ident, practice, vendor
):
    new_grant(ident, vendor["admin"], vendor["rcm"], practice.id, scope="revenue_cycle")
    rcm = bearer(token(client, BILLER, account="vendor", practice_id=practice.id))
    listed = client.get("/users", headers=rcm)
    assert listed.status_code == 200
    assert all("permissions" not in u or u["permissions"] is None for u in listed.get_json())
    changed = client.put(f"/users/{practice.users['assistant']}/user-type",
                         json={"user_type": "PT"}, headers=rcm)
    assert changed.status_code == 403
    assert "support grant" in changed.get_json()["error"]["message"]


def test_every_vendor_read_of_users_and_clinics_is_an_event_naming_the_vendor(
    client, ident, practice, vendor, login
):
    grant = new_grant(ident, vendor["admin"], vendor["rcm"], practice.id, scope="revenue_cycle")
    rcm = bearer(token(client, BILLER, account="vendor", practice_id=practice.id))
    assert client.get("/users", headers=rcm).status_code == 200
    assert client.get(f"/users/{practice.users['therapist']}", headers=rcm).status_code == 200
    assert client.get("/clinics", headers=rcm).status_code == 200
    listed, one = events(ident, "identity.users.viewed")
    for event in (listed, one):
        assert event["actor"]["id"] == vendor["rcm"] and event["actor"]["kind"] == "vendor"
        assert event["org_id"] == practice.id
        assert event["data"]["access_grant_id"] == grant.grant.id
    assert practice.users["assistant"] in listed["data"]["user_ids"]
    assert one["data"]["user_ids"] == [practice.users["therapist"]]
    [clinics] = events(ident, "identity.clinics.viewed")
    assert clinics["data"]["clinic_ids"] == [practice.clinic_id]
    assert clinics["actor"]["kind"] == "vendor"
    # The practice's own staff read their colleagues without a vendor access event.
    owner = bearer(login(OWNER)["access_token"])
    assert client.get("/users", headers=owner).status_code == 200
    assert len(events(ident, "identity.users.viewed")) == 2


def test_a_user_manager_revokes_a_grant_and_every_session_under_it_ends(
    client, ident, practice, vendor, login
):
    grant = new_grant(ident, vendor["admin"], vendor["rcm"], practice.id, scope="revenue_cycle")
    first = sign_in(client, BILLER, account="vendor", practice_id=practice.id).get_json()
    second = sign_in(client, BILLER, account="vendor", practice_id=practice.id).get_json()
    sessions = {jwt.decode(s["access_token"], options={"verify_signature": False})["sid"]
                for s in (first, second)}
    owner = bearer(login(OWNER)["access_token"])
    [listed] = client.get("/access-grants", headers=owner).get_json()
    assert listed["id"] == grant.grant.id and listed["scope"] == "revenue_cycle"

    revoked = client.post(f"/access-grants/{grant.grant.id}/revoke", headers=owner)
    assert revoked.status_code == 200, revoked.get_json()
    assert revoked.get_json()["active"] is False
    assert revoked.get_json()["revoked_by"] == practice.owner_id
    [event] = events(ident, "identity.access_grant.revoked")
    assert event["actor"]["id"] == practice.owner_id and event["org_id"] == practice.id
    assert event["data"]["sessions_revoked"] == 2
    ended = events(ident, "identity.session.revoked")
    assert {e["data"]["session_id"] for e in ended} == sessions
    assert all(e["subject"] == {"type": "user", "id": vendor["rcm"]} for e in ended)
    assert all(e["data"]["reason"] == "access_grant_revoked" for e in ended)

    refused = client.get("/users", headers=bearer(first["access_token"]))
    assert (refused.status_code, refused.get_json()["error"]["code"]) in {
        (401, "session_ended"), (403, "no_active_access_grant")}
    refresh = client.post("/token/refresh", json={"refresh_token": second["refresh_token"]})
    assert refresh.status_code == 401
    again = sign_in(client, BILLER, account="vendor", practice_id=practice.id)
    assert again.get_json()["error"]["code"] == "no_active_access_grant"
    assert client.post(f"/access-grants/{grant.grant.id}/revoke",
                       headers=owner).status_code == 409


def test_only_the_practices_user_managers_revoke_its_grants(
    client, ident, practice, other_practice, vendor, login
):
    grant = new_grant(ident, vendor["admin"], vendor["rcm"], practice.id, scope="revenue_cycle")
    url = f"/access-grants/{grant.grant.id}/revoke"
    elsewhere = bearer(login("owner@bayside.example")["access_token"])
    assert client.post(url, headers=elsewhere).status_code == 404
    therapist = bearer(login("therapist@harbourphysio.example")["access_token"])
    assert client.post(url, headers=therapist).status_code == 403
    rcm = bearer(token(client, BILLER, account="vendor", practice_id=practice.id))
    assert client.post(url, headers=rcm).status_code == 403
    assert events(ident, "identity.access_grant.revoked") == []
