"""Users, permissions, seats, the automation profile and clinic settings, through HTTP."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from identity.adapters.tables import messaging

pytestmark = pytest.mark.integration
OWNER = "owner@harbourphysio.example"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def events(ident, event_type: str) -> list[dict]:
    with ident.uow() as uow:
        payloads = uow.session.execute(
            select(messaging.outbox.c.payload).where(messaging.outbox.c.event_type == event_type)
        ).scalars().all()
    return [json.loads(p) for p in payloads]


@pytest.fixture
def manager(login, practice):
    return bearer(login(OWNER)["access_token"])


def test_only_a_user_manager_sees_permissions_in_the_user_list(client, login, manager, practice):
    as_manager = client.get("/users", headers=manager).get_json()
    as_therapist = client.get(
        "/users", headers=bearer(login("therapist@harbourphysio.example")["access_token"])
    ).get_json()
    assert all("permissions" in u for u in as_manager)
    assert all("permissions" not in u for u in as_therapist)
    assert {u["id"] for u in as_manager} == {u["id"] for u in as_therapist}


def test_granting_finish_notes_to_an_assistant_needs_the_acknowledgement(
    client, manager, practice, ident
):
    linked = client.put("/practice/billing-integration", headers=manager, json={
        "billing_integration": "ClaimPro", "provider_ids": [practice.users["therapist"]]})
    assert linked.status_code == 200, linked.get_json()
    url = f"/users/{practice.users['assistant']}/permissions"
    refused = client.patch(url, json={"grant": ["finish_notes"]}, headers=manager)
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "acknowledgement_required"
    assert "ClaimPro" in error["details"]["billing_warning"]["message"]
    granted = client.patch(url, json={"grant": ["finish_notes"],
                                      "acknowledge": "Yes, I understand"}, headers=manager)
    assert granted.status_code == 200
    body = granted.get_json()
    assert "finish_notes" in body["permissions"] and body["permission_version"] == 2
    assert body["notices"][0]["code"] == "assistant_not_billing_provider"
    [event] = events(ident, "identity.user.permissions_changed")
    assert "finish_notes" not in event["data"]["before"]["permissions"]
    assert "finish_notes" in event["data"]["after"]["permissions"]
    assert event["data"]["permission_version"] == 2


@pytest.mark.parametrize(("acknowledge", "status"), [
    (True, 200), ("Yes, I understand", 200), (False, 409), ("yes", 409), (None, 409)])
def test_the_acknowledgement_is_true_or_the_exact_phrase(client, manager, practice,
                                                         acknowledge, status):
    response = client.patch(f"/users/{practice.users['assistant']}/permissions", headers=manager,
                            json={"grant": ["finish_notes"], "acknowledge": acknowledge})
    assert response.status_code == status, response.get_json()


def test_a_manager_cannot_grant_a_permission_unknown_to_the_platform(client, manager, practice):
    response = client.patch(f"/users/{practice.users['student']}/permissions",
                            json={"grant": ["launch_rockets"]}, headers=manager)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "unknown_permission"


def test_adding_a_user_beyond_the_licensed_seats_is_refused(client, login, new_practice):
    new_practice("Tiny PT", "owner@tiny.example", seats=1)
    headers = bearer(login("owner@tiny.example")["access_token"])
    response = client.post("/users", json={"email": "second@tiny.example",
                                           "full_name": "Second", "user_type": "PT"},
                           headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "seat_limit_reached"
    assert client.get("/users", headers=headers).status_code == 200
    names = {u["email"] for u in client.get("/users", headers=headers).get_json()}
    assert "second@tiny.example" not in names


def test_the_automation_profile_cannot_be_deactivated(client, manager, practice):
    response = client.post(f"/users/{practice.automation_id}/deactivate", json={},
                           headers=manager)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "automation_profile_protected"


def test_a_practice_cannot_change_a_user_type_and_is_told_to_contact_support(
    client, manager, practice
):
    response = client.put(f"/users/{practice.users['student']}/user-type",
                          json={"user_type": "PT"}, headers=manager)
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "user_type_change_needs_support"
    assert "support" in error["message"].lower()


def test_deactivating_a_user_ends_their_sessions_and_tokens(client, login, manager, practice,
                                                            ident):
    theirs = login("therapist@harbourphysio.example")
    done = client.post(f"/users/{practice.users['therapist']}/deactivate", json={},
                       headers=manager)
    assert done.status_code == 200 and done.get_json()["status"] == "inactive"
    assert client.get("/me", headers=bearer(theirs["access_token"])).status_code == 401
    refresh = client.post("/token/refresh", json={"refresh_token": theirs["refresh_token"]})
    assert refresh.status_code == 401
    [event] = events(ident, "identity.user.deactivated")
    assert event["data"]["sessions_revoked"] == 1 and event["data"]["after"]["permissions"] == []


def test_turning_off_assistant_finalization_emits_the_settings_change(
    client, manager, practice, ident
):
    response = client.patch(f"/clinics/{practice.clinic_id}/settings",
                            json={"assistants_may_finalize": False}, headers=manager)
    assert response.status_code == 200
    assert response.get_json()["settings"] == {"assistants_may_finalize": False,
                                               "time_zone": "UTC"}
    [event] = events(ident, "identity.clinic.settings_changed")
    assert event["data"] == {"before": {"assistants_may_finalize": True, "time_zone": "UTC"},
                             "after": {"assistants_may_finalize": False, "time_zone": "UTC"}}


def test_me_shows_the_user_type_defaults_and_clinics(client, login, practice):
    me = client.get("/me", headers=bearer(
        login("assistant@harbourphysio.example")["access_token"])).get_json()
    assert me["user_type"] == "PTA" and me["clinics"] == [practice.clinic_id]
    assert "finish_notes" not in me["user_type_details"]["default_permissions"]
    assert set(me["permissions"]) == set(me["user_type_details"]["default_permissions"])


def test_an_admin_sets_the_billing_integration_and_the_other_services_hear_of_it(
    client, manager, practice, ident, login
):
    providers = [practice.users["therapist"], practice.users["assistant"]]
    response = client.put("/practice/billing-integration", headers=manager, json={
        "billing_integration": "  WebPT   Billing ", "provider_ids": providers})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"billing_integration": "WebPT Billing",
                                   "provider_ids": sorted(providers)}
    [event] = events(ident, "identity.practice.billing_integration_changed")
    assert event["org_id"] == practice.id and event["subject"] == {"type": "practice",
                                                                    "id": practice.id}
    # notes keeps billing_integration as {name, provider_ids}.
    assert event["data"]["billing_integration"] == {"name": "WebPT Billing",
                                                    "provider_ids": sorted(providers)}
    assert event["data"]["billing_provider_ids"] == sorted(providers)
    assert event["data"]["before"] == {"billing_integration": None}
    # The assistant is a provider now: finish_notes is granted without a billing warning.
    granted = client.patch(f"/users/{practice.users['assistant']}/permissions", headers=manager,
                           json={"grant": ["finish_notes"], "acknowledge": "Yes, I understand"})
    assert granted.status_code == 200 and granted.get_json()["notices"] == []
    removed = client.put("/practice/billing-integration", headers=manager,
                         json={"billing_integration": None})
    assert removed.status_code == 200
    assert removed.get_json() == {"billing_integration": None, "provider_ids": []}
    last = events(ident, "identity.practice.billing_integration_changed")[-1]["data"]
    assert last["billing_integration"] is None and last["billing_provider_ids"] == []


def test_only_an_admin_sets_the_billing_integration_and_only_with_the_practices_staff(
    client, manager, practice, login, other_practice
):
    body = {"billing_integration": "ClaimPro", "provider_ids": [practice.users["therapist"]]}
    therapist = bearer(login("therapist@harbourphysio.example")["access_token"])
    refused = client.put("/practice/billing-integration", headers=therapist, json=body)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "not_a_user_manager"
    for wrong in ([other_practice.owner_id], [practice.automation_id], ["no-such-user"]):
        response = client.put("/practice/billing-integration", headers=manager,
                              json={**body, "provider_ids": wrong})
        assert response.status_code == 422
        assert response.get_json()["error"]["details"]["unknown_users"] == wrong
    orphaned = client.put("/practice/billing-integration", headers=manager,
                          json={"billing_integration": None, "provider_ids": body["provider_ids"]})
    assert orphaned.status_code == 422



def test_an_empty_settings_change_is_refused(client, manager, practice, ident):
    response = client.patch(f"/clinics/{practice.clinic_id}/settings", json={}, headers=manager)
    assert response.status_code == 422
    assert "at least one field to change: assistants_may_finalize" in str(response.get_json())
    assert events(ident, "identity.clinic.settings_changed") == []


def test_a_pending_invitation_holds_its_seat_against_adding_a_user(client, login, new_practice):
    new_practice("Two Seat PT", "owner@twoseat.example", seats=2)
    headers = bearer(login("owner@twoseat.example")["access_token"])
    invited = client.post("/invitations", headers=headers, json={
        "full_name": "Sam Lee", "email": "sam@twoseat.example", "practice_role": "front_desk",
        "user_type": "Front Office"})
    assert invited.status_code == 201, invited.get_json()
    response = client.post("/users", json={"email": "second@twoseat.example",
                                           "full_name": "Second", "user_type": "PT"},
                           headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "seat_limit_reached"


def test_an_admin_cannot_deactivate_their_own_account(client, manager, practice, ident):
    refused = client.post(f"/users/{practice.users['manager']}/deactivate", json={},
                          headers=manager)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "cannot_deactivate_self"
    assert client.get("/me", headers=manager).status_code == 200
    assert events(ident, "identity.user.deactivated") == []
