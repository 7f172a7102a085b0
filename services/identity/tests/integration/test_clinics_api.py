"""POST /clinics: a User Manager opens another clinic of the practice, and notes hears of it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from identity.adapters.repository import IdentityRepository
from identity.adapters.tables import clinics

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
OWNER = "owner@harbourphysio.example"
CREATED = "identity.clinic.created"


def clinic_count(ident) -> int:
    with ident.uow() as uow:
        return uow.session.execute(select(func.count()).select_from(clinics)).scalar_one()


@pytest.fixture
def manager(login, practice):
    return bearer(login(OWNER)["access_token"])


def test_a_manager_adds_a_clinic_and_it_is_listed(client, manager, practice):
    response = client.post("/clinics", json={"name": "  Harbour North "}, headers=manager)
    assert response.status_code == 201, response.get_json()
    added = response.get_json()
    assert added["name"] == "Harbour North"
    assert added["settings"] == {"assistants_may_finalize": True, "time_zone": "UTC"}
    listed = client.get("/clinics", headers=manager).get_json()
    assert {c["id"] for c in listed} == {practice.clinic_id, added["id"]}
    assert added in listed


def test_adding_a_clinic_emits_one_clinic_created_event(client, manager, practice, ident):
    added = client.post("/clinics", json={"name": "Harbour North",
                                          "assistants_may_finalize": False},
                        headers=manager).get_json()
    [event] = events(ident, CREATED)
    assert event["subject"] == {"type": "clinic", "id": added["id"]}
    assert event["org_id"] == practice.id
    assert event["actor"]["id"] == practice.owner_id
    assert event["data"] == {"name": "Harbour North", "assistants_may_finalize": False,
                             "time_zone": "UTC"}


def test_the_event_carries_the_clinic_data_practice_created_carries(client, manager, ident):
    client.post("/clinics", json={"name": "Harbour North"}, headers=manager)
    [practice_created] = events(ident, "identity.practice.created")
    [first_clinic] = practice_created["data"]["clinics"]
    [event] = events(ident, CREATED)
    assert set(event["data"]) == set(first_clinic) - {"id"}


def test_a_new_clinics_settings_can_then_be_changed(client, manager, ident):
    added = client.post("/clinics", json={"name": "Harbour North"}, headers=manager).get_json()
    changed = client.patch(f"/clinics/{added['id']}/settings",
                           json={"assistants_may_finalize": False}, headers=manager)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["settings"] == {"assistants_may_finalize": False,
                                              "time_zone": "UTC"}
    [event] = events(ident, "identity.clinic.settings_changed")
    assert event["subject"]["id"] == added["id"]


@pytest.mark.parametrize("person", ["therapist", "assistant", "clerical", "student"])
def test_only_a_user_manager_adds_a_clinic_and_a_refusal_writes_nothing(
    client, login, practice, ident, person
):
    staff = bearer(login(f"{person}@harbourphysio.example")["access_token"])
    response = client.post("/clinics", json={"name": "Harbour North"}, headers=staff)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "not_a_user_manager"
    assert clinic_count(ident) == 1
    assert events(ident, CREATED) == []


def test_another_practices_manager_does_not_see_the_new_clinic(
    client, login, manager, other_practice
):
    added = client.post("/clinics", json={"name": "Harbour North"}, headers=manager).get_json()
    stranger = bearer(login("owner@bayside.example")["access_token"])
    assert added["id"] not in {c["id"] for c in client.get("/clinics", headers=stranger)
                               .get_json()}
    refused = client.patch(f"/clinics/{added['id']}/settings",
                           json={"assistants_may_finalize": False}, headers=stranger)
    assert refused.status_code == 404


def test_another_practice_may_use_the_same_name(client, login, manager, other_practice):
    client.post("/clinics", json={"name": "Harbour North"}, headers=manager)
    stranger = bearer(login("owner@bayside.example")["access_token"])
    response = client.post("/clinics", json={"name": "Harbour North"}, headers=stranger)
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("name", ["Harbour North", "HARBOUR north", " harbour North  "])
def test_a_name_already_used_in_the_practice_is_refused_whatever_the_case(
    client, manager, ident, name
):
    client.post("/clinics", json={"name": "Harbour North"}, headers=manager)
    response = client.post("/clinics", json={"name": name}, headers=manager)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "state_conflict" and "Pick another name" in error["message"]
    assert clinic_count(ident) == 2
    assert len(events(ident, CREATED)) == 1


def test_two_additions_racing_with_one_name_let_exactly_one_in(
    client, manager, ident, monkeypatch
):
    client.post("/clinics", json={"name": "Harbour North"}, headers=manager)
    # The second request read the clinics before the first committed: its check sees none.
    monkeypatch.setattr(IdentityRepository, "clinics_of", lambda self, practice_id: [])
    response = client.post("/clinics", json={"name": "harbour NORTH"}, headers=manager)
    assert response.status_code == 409
    assert "Pick another name" in response.get_json()["error"]["message"]
    assert clinic_count(ident) == 2
    assert len(events(ident, CREATED)) == 1


def test_the_first_clinics_name_is_taken_too(client, manager, ident):
    response = client.post("/clinics", json={"name": "harbour physio"}, headers=manager)
    assert response.status_code == 409
    assert events(ident, CREATED) == []


@pytest.mark.parametrize("body", [
    {},
    {"name": ""},
    {"name": "   "},
    {"name": "N" * 201},
    {"name": 42},
    {"name": "Harbour North", "assistants_may_finalize": "sometimes"},
    {"name": "Harbour North", "open_on_sundays": True},
    {"name": "Harbour North", "time_zone": "Mars/Olympus_Mons"},
    {"name": "Harbour North", "time_zone": "EST"},
    {"name": "Harbour North", "time_zone": "../../etc/passwd"},
])
def test_a_bad_body_gets_a_json_422_and_writes_nothing(client, manager, ident, body):
    response = client.post("/clinics", json=body, headers=manager)
    assert response.status_code == 422
    assert set(response.get_json()["error"]) == {"code", "message", "details"}
    assert clinic_count(ident) == 1
    assert events(ident, CREATED) == []


def test_a_nul_character_in_the_name_is_refused_before_anything_is_written(
    client, manager, ident
):
    # servicekit's input guard answers every NUL in a body with 400, before the schema.
    response = client.post("/clinics", json={"name": "Harbour\x00North"}, headers=manager)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "nul_character"
    assert clinic_count(ident) == 1
    assert events(ident, CREATED) == []


def test_vendor_support_under_a_grant_cannot_add_clinics(client, practice, ident):
    admin = new_vendor_staff(ident, "support-admin", support_admin=True)
    support = new_vendor_staff(ident, "support")
    new_grant(ident, admin, support, practice.id)
    signed_in = sign_in(client, f"support@{VENDOR_DOMAIN}", account="vendor",
                        practice_id=practice.id)
    assert signed_in.status_code == 200, signed_in.get_json()
    response = client.post("/clinics", json={"name": "Harbour North"},
                           headers=bearer(signed_in.get_json()["access_token"]))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "kind_not_allowed"
    assert clinic_count(ident) == 1



def test_a_manager_sets_a_clinics_time_zone_and_the_other_services_hear_of_it(
    client, manager, practice, ident
):
    [first] = client.get("/clinics", headers=manager).get_json()
    assert first["settings"]["time_zone"] == "UTC"  # until someone says where it is
    changed = client.patch(f"/clinics/{first['id']}/settings",
                           json={"time_zone": "America/New_York"}, headers=manager)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["settings"]["time_zone"] == "America/New_York"
    [event] = events(ident, "identity.clinic.settings_changed")
    assert event["data"]["before"]["time_zone"] == "UTC"
    assert event["data"]["after"] == {"assistants_may_finalize": True,
                                      "time_zone": "America/New_York"}
    # A new location takes the zone the practice's clinics share unless told otherwise.
    north = client.post("/clinics", json={"name": "Harbour North"}, headers=manager)
    assert north.get_json()["settings"]["time_zone"] == "America/New_York"
    west = client.post("/clinics", json={"name": "Harbour West", "time_zone": "America/Denver"},
                       headers=manager)
    assert west.get_json()["settings"]["time_zone"] == "America/Denver"


def test_an_unknown_time_zone_is_refused_with_what_to_give(client, manager):
    [first] = client.get("/clinics", headers=manager).get_json()
    refused = client.patch(f"/clinics/{first['id']}/settings",
                           json={"time_zone": "Eastern"}, headers=manager)
    assert refused.status_code == 422
    assert "IANA name such as America/New_York" in refused.get_json()["error"]["message"]


@pytest.mark.parametrize("person", ["therapist", "clerical"])
def test_only_a_user_manager_changes_a_clinics_time_zone(client, login, practice, person):
    [first] = client.get("/clinics", headers=bearer(login(OWNER)["access_token"])).get_json()
    staff = bearer(login(f"{person}@harbourphysio.example")["access_token"])
    refused = client.patch(f"/clinics/{first['id']}/settings",
                           json={"time_zone": "Europe/London"}, headers=staff)
    assert refused.status_code == 403
