"""Users, permissions, seats, the automation profile and clinic settings, through HTTP."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from identity.adapters.tables import messaging, practices

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
    with ident.uow() as uow:
        uow.session.execute(update(practices).where(practices.c.id == practice.id)
                            .values(billing_integration="ClaimPro"))
        uow.commit()
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
    assert response.get_json()["settings"] == {"assistants_may_finalize": False}
    [event] = events(ident, "identity.clinic.settings_changed")
    assert event["data"] == {"before": {"assistants_may_finalize": True},
                             "after": {"assistants_may_finalize": False}}


def test_me_shows_the_user_type_defaults_and_clinics(client, login, practice):
    me = client.get("/me", headers=bearer(
        login("assistant@harbourphysio.example")["access_token"])).get_json()
    assert me["user_type"] == "PTA" and me["clinics"] == [practice.clinic_id]
    assert "finish_notes" not in me["user_type_details"]["default_permissions"]
    assert set(me["permissions"]) == set(me["user_type_details"]["default_permissions"])
