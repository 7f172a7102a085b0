"""Invitation emails are limited per invitee and per practice, counted in the database:
429 too_many_invitations with Retry-After, and no mail, link or event for the refused one."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from sqlalchemy import func, select

from identity.adapters.signing_keys import new_private_key_pem
from identity.adapters.tables import invitation_mails, messaging
from identity.app import create_app
from identity.domain.invitation_limits import MAILS_PER_INVITEE, MAILS_PER_PRACTICE
from identity.spec import SPEC
from servicekit.migrations import upgrade

pytestmark = pytest.mark.integration


@pytest.fixture
def app(database_url, tmp_path, mail_sink):
    upgrade(SPEC.migrations_dir, database_url)
    app = create_app(SPEC.load_config(
        local_dir=tmp_path, database_url=database_url, bus_url="memory://",
        jwt_private_keys=new_private_key_pem(), smtp_url=mail_sink.url))
    app.config["TESTING"] = True
    yield app
    app.extensions["servicekit.runtime"].close()


@pytest.fixture
def admin(new_practice, login):
    """The owner of a practice with seats enough to reach the practice's limit."""
    domain = f"p{uuid.uuid4().hex[:8]}.example"
    new_practice("Harbour Dental", f"owner@{domain}", seats=MAILS_PER_PRACTICE + 10)
    token = login(f"owner@{domain}")["access_token"]
    return {"Authorization": f"Bearer {token}"}


def someone() -> str:
    return f"invitee-{uuid.uuid4().hex[:12]}@example.org"


def invite(client, headers, email: str):
    return client.post("/invitations", headers=headers, json={
        "full_name": "Sam Lee", "email": email, "practice_role": "front_desk",
        "user_type": "Front Office"})


def assert_too_many(response, per: str) -> None:
    assert response.status_code == 429, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "too_many_invitations" and error["details"]["per"] == per
    assert int(response.headers["Retry-After"]) == error["details"]["retry_after_seconds"] > 0
    assert "Try again in" in error["message"]


def events(app, event_type: str) -> list[dict]:
    with app.extensions["identity"].uow() as uow:
        rows = uow.session.execute(select(messaging.outbox.c.payload).where(
            messaging.outbox.c.event_type == event_type)).scalars().all()
    return [json.loads(row) for row in rows]


def test_an_invitation_is_resent_at_most_three_times_an_hour(app, client, admin, mail_sink):
    email = someone()
    sent = invite(client, admin, email).get_json()
    for _ in range(MAILS_PER_INVITEE - 1):
        assert client.post(f"/invitations/{sent['id']}/resend", headers=admin).status_code == 200

    refused = client.post(f"/invitations/{sent['id']}/resend", headers=admin)

    assert_too_many(refused, "invitee")
    assert len(mail_sink.to(email)) == MAILS_PER_INVITEE
    assert len(events(app, "identity.invitation.resent")) == MAILS_PER_INVITEE - 1


def test_revoking_and_inviting_again_does_not_escape_the_invitees_limit(client, admin):
    email = someone()
    for _ in range(MAILS_PER_INVITEE):
        sent = invite(client, admin, email)
        assert sent.status_code == 201, sent.get_json()
        revoked = client.post(f"/invitations/{sent.get_json()['id']}/revoke", headers=admin)
        assert revoked.status_code == 200

    assert_too_many(invite(client, admin, email), "invitee")


def test_a_practice_sends_at_most_thirty_invitation_emails_an_hour(
        app, client, admin, new_practice, login):
    for _ in range(MAILS_PER_PRACTICE):
        assert invite(client, admin, someone()).status_code == 201

    refused_to = someone()
    assert_too_many(invite(client, admin, refused_to), "practice")

    listed = client.get("/invitations", headers=admin).get_json()
    assert refused_to not in {i["email"] for i in listed}
    assert len(listed) == MAILS_PER_PRACTICE
    # Another practice's invitations are its own to count.
    new_practice("Bayside Dental", "owner@bayside-limits.example")
    other = {"Authorization": f"Bearer {login('owner@bayside-limits.example')['access_token']}"}
    assert invite(client, other, someone()).status_code == 201


def test_a_burst_of_resends_from_many_replicas_still_stops_at_the_limit(
        app, admin, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer through at a time; the race needs PostgreSQL")
    sent = invite(app.test_client(), admin, someone()).get_json()
    tries = MAILS_PER_INVITEE + 4
    start, answers = threading.Barrier(tries), []

    def resend() -> None:
        client = app.test_client()
        start.wait()
        answers.append(client.post(f"/invitations/{sent['id']}/resend",
                                   headers=admin).status_code)

    threads = [threading.Thread(target=resend) for _ in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(answers) == [200] * (MAILS_PER_INVITEE - 1) + [429] * 5
    with app.extensions["identity"].uow() as uow:
        recorded = uow.session.execute(select(func.count()).select_from(invitation_mails).where(
            invitation_mails.c.invitation_id == sent["id"])).scalar_one()
    assert recorded == MAILS_PER_INVITEE
