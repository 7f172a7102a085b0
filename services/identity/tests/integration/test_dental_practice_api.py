"""A dental practice through HTTP: created with the dental model, it invites a dentist, a
hygienist and a Front Desk member, who join with dental types and the seed's role profiles."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from sqlalchemy import select

from identity.adapters.tables import messaging
from identity.service_layer.practices import create_practice

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "quiet meadow lantern river"
TOKEN = re.compile(r"\?token=([A-Za-z0-9_\-]+)")
NOTE_WRITING = {"start_notes", "forward_notes", "finish_notes"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def events(ident, event_type: str) -> list[dict]:
    with ident.uow() as uow:
        payloads = uow.session.execute(select(messaging.outbox.c.payload).where(
            messaging.outbox.c.event_type == event_type)).scalars().all()
    return [json.loads(p) for p in payloads]


@pytest.fixture
def dental(ident):
    """Smile Dental, a dental practice, and its owner's email."""
    owner = f"owner-{uuid.uuid4().hex[:8]}@smiledental.example"
    created = create_practice(ident.uow(), name="Smile Dental", owner_email=owner,
                              owner_password=PASSWORD, catalog=ident.catalog,
                              hashing=ident.hashing, model="dental")
    return created, owner


def me(client, login, email: str, password: str = NEW_PASSWORD) -> dict:
    answer = client.get("/me", headers=bearer(login(email, password)["access_token"]))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def join(client, admin, mail_sink, name: str, **fields) -> str:
    """Invite (without a user type) and accept; the invitee's email."""
    email = f"{name.lower().replace(' ', '.')}-{uuid.uuid4().hex[:6]}@smiledental.example"
    sent = client.post("/invitations", json={"full_name": name, "email": email, **fields},
                       headers=admin)
    assert sent.status_code == 201, sent.get_json()
    [mail] = mail_sink.to(email)
    token = TOKEN.search(mail.get_content()).group(1)
    accepted = client.post("/invitations/accept", json={"token": token,
                                                        "password": NEW_PASSWORD})
    assert accepted.status_code == 201, accepted.get_json()
    return email


def test_the_dental_model_is_chosen_at_creation_and_evented(ident, dental):
    created, _ = dental
    [event] = [e for e in events(ident, "identity.practice.created")
               if e["org_id"] == created.practice_id]
    assert event["data"]["model"] == "dental"
    [owner] = [e for e in events(ident, "identity.user.created")
               if e["subject"]["id"] == created.owner_id]
    assert owner["data"]["user_type"] == "Practice Manager"


def test_a_practice_follows_the_therapy_model_unless_told_otherwise(ident):
    created = create_practice(ident.uow(), name="Harbour Physio",
                              owner_email=f"o-{uuid.uuid4().hex[:8]}@harbour.example",
                              owner_password=PASSWORD, catalog=ident.catalog,
                              hashing=ident.hashing)
    [event] = [e for e in events(ident, "identity.practice.created")
               if e["org_id"] == created.practice_id]
    assert event["data"]["model"] == "therapy"


def test_the_dental_owner_is_a_practice_manager_admin_who_lands_on_patient_engagement(
    client, login, dental
):
    _, owner = dental
    profile = me(client, login, owner, PASSWORD)
    assert profile["user_type"] == "Practice Manager"
    assert {"manage_users", "edit_patients", "view_audit"} <= set(profile["permissions"])
    assert not (NOTE_WRITING | {"delete_transactions"}) & set(profile["permissions"])
    role = profile["role_profile"]
    assert (role["practice_role"], role["permission_level"]) == ("owner_manager", "admin")
    assert role["landing_page"] == "patient_engagement"
    assert role["notifications"] == ["proceed_with_treatment_plan"]
    assert role["digests"] == ["practice_digest"]


def test_an_invited_dentist_and_hygienist_become_dental_practitioners_not_pts(
    client, login, mail_sink, dental
):
    _, owner = dental
    admin = bearer(login(owner, PASSWORD)["access_token"])
    for name, clinical, user_type in [("Dr Ana Ruiz", "dentist", "Dentist"),
                                      ("Kim Hale", "hygienist", "Hygienist")]:
        email = join(client, admin, mail_sink, name, practice_role="practitioner",
                     clinical_role=clinical, confirm_new_practitioner=True)
        profile = me(client, login, email)
        assert profile["user_type"] == user_type
        details = profile["user_type_details"]
        assert details["cpt_codes"] == [] and details["billing_codes"] == "manual"
        permissions = set(profile["permissions"])
        assert permissions >= NOTE_WRITING
        assert not {"delete_transactions", "edit_patients", "manage_users"} & permissions
        role = profile["role_profile"]
        assert (role["practice_role"], role["clinical_role"]) == ("practitioner", clinical)
        assert role["practitioner_id"]
        assert role["insights"] == {"clinical_insights": "own_patients",
                                    "patient_reports": "practice",
                                    "patient_engagement": "practice"}
        assert role["landing_page"] == "case_presentations"  # no integration yet
        assert role["digests"] == ["practitioner_digest"] and role["notifications"] == []


def test_an_invited_front_desk_member_gets_the_front_desk_type_and_its_defaults(
    client, login, mail_sink, dental
):
    _, owner = dental
    admin = bearer(login(owner, PASSWORD)["access_token"])
    email = join(client, admin, mail_sink, "Lee Park", practice_role="front_desk")
    profile = me(client, login, email)
    assert profile["user_type"] == "Front Desk"
    assert profile["user_type_details"]["billing_codes"] == "none"
    assert not (NOTE_WRITING | {"delete_transactions", "edit_patients"}) & set(
        profile["permissions"])
    role = profile["role_profile"]
    assert role["landing_page"] == "conversations"
    assert role["insights"]["clinical_insights"] == "none"
    assert role["insights"]["patient_reports"] == role["insights"]["patient_engagement"] == (
        "practice")
    assert role["notifications"] == ["payment_plan_accepted", "payment_plan_requested",
                                     "proceed_with_plan"]
    assert role["digests"] == [] and role["digests_available"] == []


def test_a_dental_practice_refuses_a_therapy_type_for_an_invitee(client, login, dental):
    _, owner = dental
    refused = client.post("/invitations", headers=bearer(login(owner, PASSWORD)["access_token"]),
                          json={"full_name": "Dr Bo Chen", "email": "bo@smiledental.example",
                                "practice_role": "practitioner", "clinical_role": "dentist",
                                "user_type": "PT"})
    assert refused.status_code == 422
    assert "Dentist" in refused.get_json()["error"]["details"]["allowed"]
