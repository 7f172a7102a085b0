"""An Admin changes the practice's recognized email domains; audit hears of it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from identity_accounts import bearer, events  # noqa: E402

pytestmark = pytest.mark.integration
CHANGED = "identity.practice.recognized_domains_changed"
URL = "/practice/recognized-domains"


@pytest.fixture
def manager(login, practice):
    return bearer(login("owner@harbourphysio.example")["access_token"])


def test_an_admin_adds_a_domain_and_the_change_is_published_with_before_and_after(
        client, manager, practice, ident):
    assert client.get(URL, headers=manager).get_json() == {"domains": ["harbourphysio.example"]}
    answer = client.put(URL, headers=manager,
                        json={"domains": ["harbourphysio.example", "@Harbour-North.example"]})
    assert answer.status_code == 200, answer.get_json()
    wanted = ["harbour-north.example", "harbourphysio.example"]
    assert answer.get_json() == {"domains": wanted}
    assert client.get(URL, headers=manager).get_json() == {"domains": wanted}
    [event] = events(ident, CHANGED)
    assert event["subject"] == {"type": "practice", "id": practice.id}
    assert event["actor"]["id"] == practice.owner_id
    # audit re-judges on data.recognized_domains of any identity.practice.* event.
    assert event["data"] == {"recognized_domains": wanted,
                             "before": {"recognized_domains": ["harbourphysio.example"]},
                             "after": {"recognized_domains": wanted}}


def test_the_same_list_again_changes_nothing_and_emits_nothing(client, manager, ident):
    answer = client.put(URL, headers=manager, json={"domains": ["HarbourPhysio.example"]})
    assert answer.status_code == 200
    assert events(ident, CHANGED) == []


@pytest.mark.parametrize("person", ["therapist", "clerical"])
def test_staff_without_manage_users_read_but_cannot_change_them(client, login, ident, practice,
                                                               person):
    staff = bearer(login(f"{person}@harbourphysio.example")["access_token"])
    assert client.get(URL, headers=staff).status_code == 200
    refused = client.put(URL, headers=staff, json={"domains": ["stranger.example"]})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "not_a_user_manager"
    assert events(ident, CHANGED) == []


@pytest.mark.parametrize("domains", [["not a domain"], ["clinicplatform.example"], []])
def test_a_bad_list_is_refused_and_nothing_changes(client, manager, ident, domains):
    refused = client.put(URL, headers=manager, json={"domains": domains})
    assert refused.status_code == 422, refused.get_json()
    assert client.get(URL, headers=manager).get_json() == {"domains": ["harbourphysio.example"]}
    assert events(ident, CHANGED) == []
