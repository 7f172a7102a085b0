"""A user's working life through HTTP: edits, reactivation, the last User Manager."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from identity_accounts import bearer, events  # noqa: E402

pytestmark = pytest.mark.integration
OWNER = "owner@harbourphysio.example"


@pytest.fixture
def manager(login, practice):
    return bearer(login(OWNER)["access_token"])


def patch(client, headers, user_id: str, **body):
    return client.patch(f"/users/{user_id}", json=body, headers=headers)


def test_a_manager_sets_an_assistants_supervisor_and_the_event_says_so(
    client, manager, practice, ident
):
    assistant, therapist = practice.users["assistant"], practice.users["therapist"]
    done = patch(client, manager, assistant, supervising_therapist_id=therapist)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["supervising_therapist_id"] == therapist
    [event] = events(ident, "identity.user.updated")
    assert event["subject"] == {"type": "user", "id": assistant}
    assert event["data"]["changed"] == ["supervising_therapist_id"]
    assert event["data"]["after"] == {"supervising_therapist_id": therapist}
    assert "permission_version" not in event["data"]  # nothing the token carries changed


def test_adding_a_user_to_a_clinic_opened_later_outdates_their_tokens(
    client, manager, practice, ident, login
):
    theirs = login("therapist@harbourphysio.example")["access_token"]
    opened = client.post("/clinics", json={"name": "Harbour North"}, headers=manager)
    assert opened.status_code == 201, opened.get_json()
    clinics = [practice.clinic_id, opened.get_json()["id"]]
    done = patch(client, manager, practice.users["therapist"], clinic_ids=clinics)
    assert done.status_code == 200, done.get_json()
    assert sorted(done.get_json()["clinics"]) == sorted(clinics)
    [event] = events(ident, "identity.user.updated")
    assert event["data"]["permission_version"] == 2 == done.get_json()["permission_version"]
    refused = client.get("/me", headers=bearer(theirs))
    assert refused.status_code == 401
    fresh = login("therapist@harbourphysio.example")["access_token"]
    me = client.get("/me", headers=bearer(fresh)).get_json()
    assert sorted(me["clinics"]) == sorted(clinics)


def test_a_manager_renames_a_user_and_changes_their_role(client, manager, practice, ident):
    done = patch(client, manager, practice.users["clerical"], full_name="Frankie Fields",
                 practice_role="practitioner", clinical_role="other")
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert (body["full_name"], body["practice_role"], body["clinical_role"]) == (
        "Frankie Fields", "practitioner", "other")
    [event] = events(ident, "identity.user.updated")
    assert set(event["data"]["changed"]) == {"full_name", "practice_role", "clinical_role"}
    assert event["data"]["practice_role"] == "practitioner"


@pytest.mark.parametrize("body, status, code", [
    ({"supervising_therapist_id": "{clerical}"}, 422, "invalid_request"),
    ({"clinic_ids": ["no-such-clinic"]}, 422, "invalid_request"),
    ({"practice_role": "practitioner"}, 422, "invalid_request"),
    ({"user_type": "PT"}, 422, None),  # a type changes only through support
    ({}, 422, None),
    ({"acting_clinic_id": None}, 422, None),
])
def test_edits_that_break_a_rule_are_refused_and_change_nothing(
    client, manager, practice, ident, body, status, code
):
    body = {k: v.format(**practice.users) if isinstance(v, str) else v for k, v in body.items()}
    refused = patch(client, manager, practice.users["assistant"], **body)
    assert refused.status_code == status, refused.get_json()
    if code:
        assert refused.get_json()["error"]["code"] == code
    assert events(ident, "identity.user.updated") == []


def test_only_a_user_manager_edits_and_only_within_their_practice(
    client, login, practice, other_practice
):
    staff = bearer(login("therapist@harbourphysio.example")["access_token"])
    refused = patch(client, staff, practice.users["assistant"], full_name="X Y")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "not_a_user_manager"
    other = bearer(login("owner@bayside.example")["access_token"])
    assert patch(client, other, practice.users["assistant"], full_name="X Y").status_code == 404


def test_the_last_user_manager_keeps_manage_users(client, manager, practice, login):
    owner = practice.owner_id
    revoked = client.patch(f"/users/{owner}/permissions", json={"revoke": ["manage_users"]},
                           headers=manager)
    assert revoked.status_code == 409
    assert revoked.get_json()["error"]["code"] == "last_user_manager"
    demoted = patch(client, manager, owner, permission_level="user")
    assert demoted.status_code == 409
    assert demoted.get_json()["error"]["code"] == "last_user_manager"

    # With a second User Manager, either may step down.
    promoted = patch(client, manager, practice.users["therapist"], permission_level="admin")
    assert promoted.status_code == 200 and promoted.get_json()["permission_level"] == "admin"
    second = bearer(login("therapist@harbourphysio.example")["access_token"])
    stepped_down = client.patch(f"/users/{owner}/permissions",
                                json={"revoke": ["manage_users"]}, headers=manager)
    assert stepped_down.status_code == 200, stepped_down.get_json()
    last = client.post(f"/users/{practice.users['therapist']}/deactivate", json={},
                       headers=second)
    assert last.status_code == 403  # nobody deactivates themselves; the owner no longer can
    alone = patch(client, second, practice.users["therapist"], permission_level="user")
    assert alone.get_json()["error"]["code"] == "last_user_manager"


def test_a_deactivated_user_is_reactivated_and_signs_in_again(
    client, manager, practice, ident, login
):
    clerical = practice.users["clerical"]
    assert client.post(f"/users/{clerical}/deactivate", json={},
                       headers=manager).status_code == 200
    back = client.post(f"/users/{clerical}/reactivate", json={}, headers=manager)
    assert back.status_code == 200, back.get_json()
    assert back.get_json()["status"] == "active"
    [event] = events(ident, "identity.user.reactivated")
    assert event["data"]["permission_version"] == 3
    assert "view_patients" in event["data"]["after"]["permissions"]
    login("clerical@harbourphysio.example")
    again = client.post(f"/users/{clerical}/reactivate", json={}, headers=manager)
    assert again.status_code == 409


def test_reactivation_needs_a_free_seat(client, login, new_practice, add_person):
    practice = new_practice("Tiny Physio", "owner@tiny.example", seats=2)
    manager = bearer(login("owner@tiny.example")["access_token"])
    first = add_person(practice, "first", "PT", "first@tiny.example")
    assert client.post(f"/users/{first}/deactivate", json={}, headers=manager).status_code == 200
    add_person(practice, "second", "PT", "second@tiny.example")
    refused = client.post(f"/users/{first}/reactivate", json={}, headers=manager)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "seat_limit_reached"


def test_a_billing_user_always_has_a_default_clinic(client, manager, practice):
    added = client.post("/users", headers=manager, json={
        "email": "bea@harbourphysio.example", "full_name": "Bea Biller", "user_type": "Billing"})
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["default_clinic_id"] == practice.clinic_id  # the only clinic
    cleared = patch(client, manager, added.get_json()["id"], default_clinic_id=None)
    assert cleared.status_code == 422
    client.post("/clinics", json={"name": "Harbour South"}, headers=manager)
    refused = client.post("/users", headers=manager, json={
        "email": "bo@harbourphysio.example", "full_name": "Bo Biller", "user_type": "Billing"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"]["field"] == "default_clinic_id"
