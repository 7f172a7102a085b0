"""Invitations through HTTP: the mail's link, expiry, resend, revoke, seats and who may act."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from identity.adapters.signing_keys import new_private_key_pem
from identity.adapters.tables import invitations, messaging
from identity.app import create_app
from identity.bootstrap import Identity
from identity.domain.tokens import hash_token
from identity.service_layer.practices import create_practice
from identity.spec import SPEC
from servicekit.migrations import upgrade
from servicekit.totp_wallet import sign_in_through

pytestmark = pytest.mark.integration
OWNER = "owner@harbourphysio.example"
STAFF_APP = "http://staff.example/app"
TOKEN = re.compile(r"\?token=([A-Za-z0-9_\-]+)")
NEW_PASSWORD = "quiet meadow lantern river"
PASSWORD = "correct horse battery staple"


def build_app(database_url: str, tmp_path, smtp_url: str, keys: str | None = None):
    config = SPEC.load_config(
        local_dir=tmp_path, database_url=database_url, bus_url="memory://",
        jwt_private_keys=keys or new_private_key_pem(), smtp_url=smtp_url,
        staff_app_url=STAFF_APP,
    )
    app = create_app(config)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def app(database_url, tmp_path, mail_sink):
    upgrade(SPEC.migrations_dir, database_url)
    app = build_app(database_url, tmp_path, mail_sink.url)
    yield app
    app.extensions["servicekit.runtime"].close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def events(ident, event_type: str) -> list[dict]:
    with ident.uow() as uow:
        payloads = uow.session.execute(
            select(messaging.outbox.c.payload).where(messaging.outbox.c.event_type == event_type)
        ).scalars().all()
    return [json.loads(p) for p in payloads]


def someone() -> str:
    return f"invitee-{uuid.uuid4().hex[:12]}@harbourphysio.example"


def invite(client, headers, email: str, **fields):
    body = {"full_name": "Sam Lee", "email": email, "practice_role": "front_desk",
            "user_type": "Front Office", **fields}
    return client.post("/invitations", json=body, headers=headers)


def link_token(mail_sink, email: str, count: int = 1) -> str:
    mails = mail_sink.to(email)
    assert len(mails) == count
    return TOKEN.search(mails[-1].get_content()).group(1)


def freeze_clock(monkeypatch, moment) -> None:
    monkeypatch.setattr(Identity, "now", staticmethod(lambda: moment))


@pytest.fixture
def admin(login, practice):
    return bearer(login(OWNER)["access_token"])


def test_the_invitee_opens_the_mailed_link_sets_a_password_and_signs_in(
    client, admin, ident, mail_sink, login
):
    email = someone()
    sent = invite(client, admin, email)

    assert sent.status_code == 201, sent.get_json()
    body = sent.get_json()
    assert body["status"] == "pending" and body["mail_status"] == "sent"
    [mail] = mail_sink.to(email)
    assert f"{STAFF_APP}/accept-invitation?token=" in mail.get_content()
    assert "Harbour Physio" in mail["Subject"]
    token = link_token(mail_sink, email)
    assert token not in sent.get_data(as_text=True)  # the link lives in the mail only
    accepted = client.post("/invitations/accept", json={"token": token,
                                                        "password": NEW_PASSWORD})
    assert accepted.status_code == 201, accepted.get_json()
    assert accepted.get_json()["email"] == email

    me = client.get("/me", headers=bearer(login(email, NEW_PASSWORD)["access_token"]))
    profile = me.get_json()["role_profile"]
    assert profile["practice_role"] == "front_desk" and profile["permission_level"] == "user"
    assert profile["landing_page"] == "conversations"
    assert profile["insights"] == {"clinical_insights": "none", "patient_reports": "practice",
                                   "patient_engagement": "practice"}
    assert profile["notifications"] == ["payment_plan_accepted", "payment_plan_requested",
                                        "proceed_with_plan"]
    assert profile["digests"] == [] and profile["digests_available"] == []
    assert profile["admin_areas"] == []
    [listed] = [i for i in client.get("/invitations", headers=admin).get_json()
                if i["email"] == email]
    assert listed["status"] == "accepted" and listed["user_id"] == me.get_json()["id"]
    again = client.post("/invitations/accept", json={"token": token, "password": NEW_PASSWORD})
    assert again.status_code == 410
    [created] = events(ident, "identity.user.created")[-1:]
    assert created["data"]["practice_role"] == "front_desk"
    assert created["data"]["supervising_therapist_id"] is None
    assert [e["subject"]["id"] for e in events(ident, "identity.invitation.sent")] == [body["id"]]
    assert len(events(ident, "identity.invitation.accepted")) == 1


def test_an_owner_manager_invitation_makes_an_admin_who_lands_on_patient_engagement(
    client, admin, mail_sink, login
):
    email = someone()
    assert invite(client, admin, email, practice_role="owner_manager",
                  user_type="PT").status_code == 201
    token = link_token(mail_sink, email)
    assert client.post("/invitations/accept",
                       json={"token": token, "password": NEW_PASSWORD}).status_code == 201
    me = client.get("/me", headers=bearer(login(email, NEW_PASSWORD)["access_token"])).get_json()
    assert "manage_users" in me["permissions"]
    assert me["role_profile"]["landing_page"] == "patient_engagement"
    assert "users" in me["role_profile"]["admin_areas"]


def test_an_invitation_expires_after_seven_days(client, admin, ident, mail_sink, monkeypatch):
    email = someone()
    sent = invite(client, admin, email).get_json()
    token = link_token(mail_sink, email)

    freeze_clock(monkeypatch, ident.now() + timedelta(days=7, seconds=1))
    refused = client.post("/invitations/accept", json={"token": token, "password": NEW_PASSWORD})

    assert refused.status_code == 410
    assert refused.get_json()["error"]["code"] == "link_expired"
    [listed] = [i for i in client.get("/invitations", headers=admin).get_json()
                if i["id"] == sent["id"]]
    assert listed["status"] == "expired"


def test_resending_mails_a_new_link_and_the_old_one_dies(client, admin, ident, mail_sink):
    email = someone()
    sent = invite(client, admin, email).get_json()
    old = link_token(mail_sink, email)

    resent = client.post(f"/invitations/{sent['id']}/resend", headers=admin)

    assert resent.status_code == 200 and resent.get_json()["mail_status"] == "sent"
    new = link_token(mail_sink, email, count=2)
    assert new != old
    dead = client.post("/invitations/accept", json={"token": old, "password": NEW_PASSWORD})
    assert dead.status_code == 410 and dead.get_json()["error"]["code"] == "link_unusable"
    alive = client.post("/invitations/accept", json={"token": new, "password": NEW_PASSWORD})
    assert alive.status_code == 201
    assert len(events(ident, "identity.invitation.resent")) == 1


def test_a_revoked_invitation_cannot_be_accepted_or_resent(client, admin, ident, mail_sink):
    email = someone()
    sent = invite(client, admin, email).get_json()
    token = link_token(mail_sink, email)

    revoked = client.post(f"/invitations/{sent['id']}/revoke", headers=admin)

    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"
    refused = client.post("/invitations/accept", json={"token": token, "password": NEW_PASSWORD})
    assert refused.status_code == 410
    assert client.post(f"/invitations/{sent['id']}/resend", headers=admin).status_code == 409
    assert len(events(ident, "identity.invitation.revoked")) == 1


def test_pending_invitations_hold_seats_and_the_next_one_is_refused(
    client, login, new_practice
):
    new_practice("Tiny Dental", "owner@tiny.example", seats=2)
    headers = bearer(login("owner@tiny.example")["access_token"])
    assert invite(client, headers, f"first-{uuid.uuid4().hex}@tiny.example").status_code == 201

    refused = invite(client, headers, f"second-{uuid.uuid4().hex}@tiny.example")

    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "seat_limit_reached"
    assert error["details"] == {"licensed_seats": 2, "active_staff": 1, "pending_invitations": 1}
    assert len(client.get("/invitations", headers=headers).get_json()) == 1


def test_only_admins_of_the_practice_manage_its_invitations(
    client, admin, login, new_practice, mail_sink
):
    sent = invite(client, admin, someone()).get_json()
    therapist = bearer(login("therapist@harbourphysio.example")["access_token"])
    new_practice("Bayside Dental", "owner@bayside.example")
    other_admin = bearer(login("owner@bayside.example")["access_token"])

    assert invite(client, therapist, someone()).status_code == 403
    assert client.get("/invitations", headers=therapist).status_code == 403
    assert client.post(f"/invitations/{sent['id']}/revoke", headers=therapist).status_code == 403
    assert client.get("/invitations", headers=other_admin).get_json() == []
    for action in ("resend", "revoke"):
        response = client.post(f"/invitations/{sent['id']}/{action}", headers=other_admin)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    assert client.get("/invitations").status_code == 401
    assert client.post("/invitations/not-an-id/revoke", headers=admin).status_code == 404


def test_inviting_someone_twice_or_an_existing_user_is_refused(client, admin):
    email = someone()
    first = invite(client, admin, email).get_json()
    twice = invite(client, admin, email.upper())
    assert twice.status_code == 409
    assert twice.get_json()["error"]["details"] == {"invitation_id": first["id"]}
    existing = invite(client, admin, "therapist@harbourphysio.example")
    assert existing.status_code == 409


def test_a_practitioner_named_like_an_existing_one_needs_a_decision(
    client, admin, mail_sink, login
):
    dentist = dict(practice_role="practitioner", clinical_role="dentist", user_type="PT",
                   full_name="Dr Anh  Nguyen")
    email = someone()
    invite(client, admin, email, **dentist)
    client.post("/invitations/accept", json={"token": link_token(mail_sink, email),
                                             "password": NEW_PASSWORD})
    me = client.get("/me", headers=bearer(login(email, NEW_PASSWORD)["access_token"])).get_json()
    record = me["role_profile"]["practitioner_id"]
    assert record and me["role_profile"]["clinical_role"] == "dentist"
    # The practice has no integration: a practitioner opens in case presentations.
    assert me["role_profile"]["landing_page"] == "case_presentations"

    held = invite(client, admin, someone(), **{**dentist, "full_name": "dr anh nguyen"})

    assert held.status_code == 409
    error = held.get_json()["error"]
    assert error["code"] == "practitioner_decision_required"
    assert error["details"]["possible_duplicates"] == [
        {"kind": "practitioner", "id": record, "name": "Dr Anh Nguyen", "linked": True,
         "invited": False}]
    assert "confirm_new_practitioner" in error["message"]
    assert client.get("/invitations", headers=admin).get_json()[0]["email"] == email
    # The record is the first dentist's: nobody else is ever linked to it.
    taken = invite(client, admin, someone(), **dentist, practitioner_id=record)
    assert taken.status_code == 409
    assert taken.get_json()["error"]["code"] == "practitioner_already_linked"
    confirmed = invite(client, admin, someone(), **dentist, confirm_new_practitioner=True)
    assert confirmed.status_code == 201
    assert confirmed.get_json()["new_practitioner_name"] == "Dr Anh Nguyen"


def test_when_smtp_is_down_the_invitation_waits_and_a_resend_mails_it(
    database_url, tmp_path, dead_smtp_url, mail_sink
):
    upgrade(SPEC.migrations_dir, database_url)
    keys = new_private_key_pem()
    down = build_app(database_url, tmp_path, dead_smtp_url, keys)
    back = build_app(database_url, tmp_path, mail_sink.url, keys)
    try:
        client = down.test_client()
        ident = down.extensions["identity"]
        create_practice(ident.uow(), name="Quiet Dental", owner_email="owner@quiet.example",
                        owner_password=PASSWORD, catalog=ident.catalog, hashing=ident.hashing)
        tokens = sign_in_through(client, {"email": "owner@quiet.example",
                                          "password": PASSWORD})
        headers = bearer(tokens.get_json()["access_token"])
        email = f"waiting-{uuid.uuid4().hex}@quiet.example"

        sent = invite(client, headers, email)

        assert sent.status_code == 201 and sent.get_json()["mail_status"] == "pending"
        assert client.get("/invitations", headers=headers).get_json()[0]["mail_status"] == (
            "pending")
        assert mail_sink.to(email) == []
        resent = back.test_client().post(f"/invitations/{sent.get_json()['id']}/resend",
                                         headers=headers)
        assert resent.status_code == 200 and resent.get_json()["mail_status"] == "sent"
        token = link_token(mail_sink, email)
        with back.extensions["identity"].uow() as uow:
            stored = uow.session.execute(select(invitations.c.token_hash)).scalar_one()
        assert stored == hash_token(token)
    finally:
        for app in (down, back):
            app.extensions["servicekit.runtime"].close()


def test_the_mail_worker_sends_the_invitation_once_the_mail_server_is_back(
    database_url, tmp_path, dead_smtp_url, mail_sink
):
    from identity.adapters.mail_outbox import MAIL_OUTBOX
    from servicekit.mail_delivery import deliver_due
    upgrade(SPEC.migrations_dir, database_url)
    keys = new_private_key_pem()
    down = build_app(database_url, tmp_path, dead_smtp_url, keys)
    back = build_app(database_url, tmp_path, mail_sink.url, keys)
    try:
        client = down.test_client()
        ident = down.extensions["identity"]
        create_practice(ident.uow(), name="Patient Dental", owner_email="owner@patient.example",
                        owner_password=PASSWORD, catalog=ident.catalog, hashing=ident.hashing)
        headers = bearer(sign_in_through(client, {"email": "owner@patient.example",
                                                  "password": PASSWORD}).get_json()["access_token"])
        email = f"later-{uuid.uuid4().hex}@patient.example"
        assert invite(client, headers, email).get_json()["mail_status"] == "pending"

        worker = back.extensions["identity"]
        later = datetime.now(UTC) + timedelta(minutes=5)
        assert deliver_due(worker.uow(), MAIL_OUTBOX, worker.mailer, lambda: later).sent == 1

        assert client.get("/invitations", headers=headers).get_json()[0]["mail_status"] == "sent"
        with worker.uow() as uow:
            stored = uow.session.execute(select(invitations.c.token_hash)).scalar_one()
        assert stored == hash_token(link_token(mail_sink, email))
        assert deliver_due(worker.uow(), MAIL_OUTBOX, worker.mailer,
                           lambda: later + timedelta(hours=2)).sent == 0
        assert len(mail_sink.to(email)) == 1
    finally:
        for app in (down, back):
            app.extensions["servicekit.runtime"].close()

