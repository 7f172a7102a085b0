"""The Admin-only settings areas: an Admin reads and changes each, a User is refused."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from identity_accounts import bearer, events  # noqa: E402

pytestmark = pytest.mark.integration

TEMPLATE = "Hi {patient_first_name}, your plan from {practice_name}: {treatment_plan_link}"
# (path, event type, a valid new body, a body the rules refuse)
AREAS = {
    "info": ("/practice", "identity.practice.info_changed",
             {"name": "Harbour Dental", "phone": "+61 2 5550 0142",
              "email": "front@harbourdental.example", "website": "https://harbour.example",
              "address": {"line1": "1 Quay St", "city": "Sydney", "country": "AU"}},
             {"name": "Harbour Dental", "phone": "call us"}),
    "integrations": ("/practice/integrations", "identity.practice.integrations_changed",
                     {"integrations": [{"kind": "practice_management", "provider": "Dentrix",
                                        "enabled": True, "external_account_id": "site-7"}]},
                     {"integrations": [{"kind": "imaging", "provider": "A", "enabled": True},
                                       {"kind": "imaging", "provider": "B", "enabled": True}]}),
    "treatment_plan": (
        "/practice/treatment-plan-settings",
        "identity.practice.treatment_plan_settings_changed",
        {"item_codes": [{"code": "D1110", "description": "Prophylaxis", "price": "95"}],
         "price_buttons": [{"label": "Crown", "amount": 1200}],
         "sms_templates": [{"name": "Plan sent", "body": TEMPLATE}],
         "reminder_templates": [{"name": "Nudge", "body": "Still thinking, "
                                 "{patient_first_name}?", "send_after_days": 7}]},
        {"item_codes": [], "price_buttons": [], "reminder_templates": [],
         "sms_templates": [{"name": "Bad", "body": "Hi {patient_frist_name}"}]}),
    "webchat": ("/practice/webchat", "identity.practice.webchat_changed",
                {"enabled": True, "greeting": "Hello!", "accent_colour": "#00aa55",
                 "allowed_origins": ["https://harbour.example"]},
                {"enabled": True, "accent_colour": "green"}),
    "digests": ("/practice/digests", "identity.practice.digest_settings_changed",
                {"frequency": "daily"}, {"frequency": "hourly"}),
}


@pytest.fixture
def admin(login, practice):
    return bearer(login("owner@harbourphysio.example")["access_token"])


@pytest.mark.parametrize("area", AREAS)
def test_an_admin_changes_an_area_and_the_change_is_published(client, admin, ident,
                                                              practice, area):
    path, event_type, body, _ = AREAS[area]
    answer = client.put(path, headers=admin, json=body)
    assert answer.status_code == 200, answer.get_json()
    assert client.get(path, headers=admin).get_json() == answer.get_json()
    [event] = events(ident, event_type)
    assert event["subject"] == {"type": "practice", "id": practice.id}
    assert event["actor"]["id"] == practice.owner_id
    assert event["data"]["changed_fields"]
    # The same settings again change nothing and publish nothing.
    assert client.put(path, headers=admin, json=body).status_code == 200
    assert len(events(ident, event_type)) == 1


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("person", ["therapist", "assistant", "clerical", "student"])
def test_a_user_level_member_is_refused_and_told_to_ask_an_admin(client, login, ident,
                                                                 practice, area, person):
    path, event_type, body, _ = AREAS[area]
    user = bearer(login(f"{person}@harbourphysio.example")["access_token"])
    for refused in (client.get(path, headers=user), client.put(path, headers=user, json=body)):
        assert refused.status_code == 403
        error = refused.get_json()["error"]
        assert error["code"] == "admin_only"
        assert "Ask an Admin" in error["message"]
        assert error["details"]["required_permission_level"] == "admin"
    assert events(ident, event_type) == []


@pytest.mark.parametrize("area", AREAS)
def test_settings_that_break_a_rule_are_refused_and_nothing_changes(client, admin, ident, area):
    path, event_type, _, bad = AREAS[area]
    before = client.get(path, headers=admin).get_json()
    assert client.put(path, headers=admin, json=bad).status_code == 422
    assert client.get(path, headers=admin).get_json() == before
    assert events(ident, event_type) == []


@pytest.mark.parametrize("area", AREAS)
def test_another_practice_never_sees_the_settings(client, admin, login, new_practice, area):
    path, _, body, _ = AREAS[area]
    assert client.put(path, headers=admin, json=body).status_code == 200
    new_practice("Bayside Dental", "owner@bayside.example")
    other = bearer(login("owner@bayside.example")["access_token"])
    theirs = client.get(path, headers=other).get_json()
    assert theirs != client.get(path, headers=admin).get_json()


def test_digests_are_weekly_by_default_and_daily_if_chosen(client, admin, ident):
    assert client.get("/practice/digests", headers=admin).get_json() == {"frequency": "weekly"}
    client.put("/practice/digests", headers=admin, json={"frequency": "daily"})
    assert client.get("/practice/digests", headers=admin).get_json() == {"frequency": "daily"}
    [event] = events(ident, "identity.practice.digest_settings_changed")
    assert event["data"] == {"changed_fields": ["frequency"], "frequency": "daily",
                             "before": {"frequency": "weekly"},
                             "after": {"frequency": "daily"}}


def test_practice_info_renames_the_practice_and_publishes_no_contact_details(client, admin,
                                                                          ident):
    assert client.get("/practice", headers=admin).get_json()["name"] == "Harbour Physio"
    client.put("/practice", headers=admin, json=AREAS["info"][2])
    assert client.get("/practice", headers=admin).get_json()["name"] == "Harbour Dental"
    [event] = events(ident, "identity.practice.info_changed")
    assert event["data"] == {"changed_fields": ["address", "email", "name", "phone",
                                                "website"], "name": "Harbour Dental"}


def test_treatment_plan_events_carry_counts_not_template_text(client, admin, ident):
    client.put("/practice/treatment-plan-settings", headers=admin, json=AREAS[
        "treatment_plan"][2])
    answer = client.get("/practice/treatment-plan-settings", headers=admin).get_json()
    assert answer["item_codes"] == [{"code": "D1110", "description": "Prophylaxis",
                                     "price": "95.00"}]
    [event] = events(ident, "identity.practice.treatment_plan_settings_changed")
    assert event["data"]["counts"] == {"item_codes": 1, "price_buttons": 1,
                                       "sms_templates": 1, "reminder_templates": 1}
    assert "patient_first_name" not in str(event)


@pytest.mark.parametrize("body", [
    {"sms_templates": [{"name": "Long", "body": "x" * 481}]},
    {"item_codes": [{"code": "D1", "description": "A", "price": "1"},
                    {"code": "d1", "description": "B", "price": "2"}]},
    {"item_codes": [{"code": "D1", "description": "A", "price": "-1"}]},
    {"price_buttons": [{"label": f"B{i}", "amount": 1} for i in range(13)]},
    {"reminder_templates": [{"name": "R", "body": "Hi", "send_after_days": 0}]},
])
def test_treatment_plan_limits(client, admin, body):
    full = {"item_codes": [], "price_buttons": [], "sms_templates": [],
            "reminder_templates": [], **body}
    assert client.put("/practice/treatment-plan-settings", headers=admin,
                      json=full).status_code == 422
