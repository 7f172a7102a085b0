"""Practitioner records an Admin keeps by hand through HTTP: a free record (as the practice
management system lists it) that an invitation then links, renames under the namesake rule,
and removal of free records only."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import test_practitioners_api as practitioners_api  # noqa: E402
from test_practitioners_api import accept, bearer, events, invite, records_named, someone  # noqa: E402

pytestmark = pytest.mark.integration
dental = practitioners_api.dental  # the fixture: Smile Dental and its owner's headers


def create(client, admin, name: str, **fields):
    return client.post("/practitioners", headers=admin, json={"name": name, **fields})


def listed(client, admin, **query) -> dict[str, dict]:
    page = client.get("/practitioners", headers=admin, query_string=query).get_json()
    return {p["name"]: p for p in page["practitioners"]}


def test_an_admin_adds_a_free_record_as_the_list_shows_it(client, ident, dental):
    _, admin = dental
    made = create(client, admin, "  Mia   Tran ", clinical_role="hygienist")
    assert made.status_code == 201, made.get_json()
    record = made.get_json()
    assert (record["name"], record["linked"], record["user"]) == ("Mia Tran", False, None)
    assert record["clinical_role"] == "hygienist" and record["invitation_id"] is None
    assert listed(client, admin, linked="false")["Mia Tran"] == record
    [event] = [e for e in events(ident, "identity.practitioner.created")
               if e["subject"]["id"] == record["id"]]
    assert event["data"] == {"name": "Mia Tran", "clinical_role": "hygienist",
                             "user_id": None, "confirmed_different_person": False}
    blank = create(client, admin, "   ")
    assert blank.status_code == 422 and blank.get_json()["error"]["details"]["field"] == "name"
    assert create(client, admin, "Kim Lo", clinical_role="surgeon").status_code == 422


def test_a_namesake_record_waits_for_the_admin_to_confirm_a_different_person(
        client, ident, dental):
    practice_id, admin = dental
    first = create(client, admin, "Ada Brook").get_json()
    held = create(client, admin, "ada  BROOK")
    assert held.status_code == 409
    error = held.get_json()["error"]
    assert error["code"] == "practitioner_decision_required"
    assert "confirm_new_practitioner" in error["message"]
    assert error["details"]["possible_duplicates"] == [
        {"kind": "practitioner", "id": first["id"], "name": "Ada Brook", "linked": False,
         "invited": False}]
    second = create(client, admin, "Ada Brook", confirm_new_practitioner=True)
    assert second.status_code == 201
    assert records_named(ident, practice_id, "Ada Brook") == 2
    [event] = [e for e in events(ident, "identity.practitioner.created")
               if e["subject"]["id"] == second.get_json()["id"]]
    assert event["data"]["confirmed_different_person"] is True

    # An open invitation's new practitioner is a namesake too, and a free record is one for
    # a new invitation.
    sent = invite(client, admin, someone(), "Jo Reyes").get_json()
    [candidate] = create(client, admin, "Jo Reyes").get_json()["error"]["details"][
        "possible_duplicates"]
    assert (candidate["kind"], candidate["id"]) == ("invitation", sent["id"])
    assert invite(client, admin, someone(), "ada brook").status_code == 409


def test_a_hygienist_invited_to_a_free_record_is_linked_to_it(client, ident, dental,
                                                              mail_sink):
    practice_id, admin = dental
    record = create(client, admin, "Mia Tran", clinical_role="hygienist").get_json()
    hygienist = someone("hygienist")
    sent = invite(client, admin, hygienist, "Mia Tran", clinical_role="hygienist",
                  practitioner_id=record["id"])
    assert sent.status_code == 201, sent.get_json()
    assert listed(client, admin)["Mia Tran"]["invitation_id"] == sent.get_json()["id"]
    in_use = client.delete(f"/practitioners/{record['id']}", headers=admin)
    assert in_use.status_code == 409
    assert in_use.get_json()["error"]["code"] == "practitioner_in_use"
    assert "Revoke that invitation" in in_use.get_json()["error"]["message"]

    joined = accept(client, mail_sink, hygienist)
    assert joined.status_code == 201, joined.get_json()
    mia = listed(client, admin)["Mia Tran"]
    assert (mia["id"], mia["linked"], mia["clinical_role"]) == (record["id"], True,
                                                                "hygienist")
    assert mia["user"]["id"] == joined.get_json()["user_id"] and mia["invitation_id"] is None
    assert records_named(ident, practice_id, "Mia Tran") == 1


def test_a_record_is_renamed_under_the_namesake_rule(client, ident, dental, mail_sink):
    _, admin = dental
    dentist = someone("dentist")
    invite(client, admin, dentist, "Rae Kim")
    user_id = accept(client, mail_sink, dentist).get_json()["user_id"]
    rae = listed(client, admin)["Rae Kim"]
    renamed = client.patch(f"/practitioners/{rae['id']}", headers=admin,
                           json={"name": "Dr Rae Kim-Okafor"})
    assert renamed.status_code == 200, renamed.get_json()
    assert renamed.get_json()["name"] == "Dr Rae Kim-Okafor"
    # The record's name may differ from its user's: the user keeps theirs.
    assert renamed.get_json()["user"]["full_name"] == "Rae Kim"
    user = client.get(f"/users/{user_id}", headers=admin).get_json()
    assert user["full_name"] == "Rae Kim"
    [event] = events(ident, "identity.practitioner.updated")
    assert event["data"]["previous_name"] == "Rae Kim"
    assert event["data"]["name"] == "Dr Rae Kim-Okafor"
    refused = client.patch(f"/practitioners/{rae['id']}", headers=admin,
                           json={"clinical_role": "hygienist"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"]["field"] == "clinical_role"

    free = create(client, admin, "Sam Ode").get_json()
    held = client.patch(f"/practitioners/{free['id']}", headers=admin,
                        json={"name": "dr rae kim-okafor"})
    assert held.status_code == 409
    [candidate] = held.get_json()["error"]["details"]["possible_duplicates"]
    assert (candidate["id"], candidate["linked"]) == (rae["id"], True)
    # Its own name (another spelling) is no namesake of itself.
    assert client.patch(f"/practitioners/{free['id']}", headers=admin,
                        json={"name": "SAM ODE", "clinical_role": "dentist"}).get_json()[
        "clinical_role"] == "dentist"


def test_only_a_free_record_is_removed_and_never_another_practices(
        client, ident, dental, mail_sink, login, new_practice):
    _, admin = dental
    free = create(client, admin, "Lou Park").get_json()
    dentist = someone("dentist")
    invite(client, admin, dentist, "Ada Brook")
    accept(client, mail_sink, dentist)
    ada = listed(client, admin)["Ada Brook"]

    new_practice("Bayside Dental", "owner@bayside.example")
    other = bearer(login("owner@bayside.example")["access_token"])
    assert client.delete(f"/practitioners/{free['id']}", headers=other).status_code == 404
    assert client.patch(f"/practitioners/{free['id']}", headers=other,
                        json={"name": "Mine"}).status_code == 404

    linked = client.delete(f"/practitioners/{ada['id']}", headers=admin)
    assert linked.status_code == 409
    assert linked.get_json()["error"]["code"] == "practitioner_in_use"
    assert "Rename it" in linked.get_json()["error"]["message"]
    assert client.delete(f"/practitioners/{free['id']}", headers=admin).status_code == 204
    assert "Lou Park" not in listed(client, admin)
    [event] = events(ident, "identity.practitioner.removed")
    assert (event["subject"]["id"], event["data"]) == (free["id"], {"name": "Lou Park"})
    gone = client.delete(f"/practitioners/{free['id']}", headers=admin)
    assert gone.status_code == 404 and gone.get_json()["error"]["message"]
