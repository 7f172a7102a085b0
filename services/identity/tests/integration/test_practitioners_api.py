"""Practitioner records through HTTP: the list an Admin picks from, and one record per person
however the person arrives (invitation, acceptance, POST /users), even when two open
invitations for the same new practitioner are accepted at the same moment."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, text

from identity.adapters.invitation_repository import InvitationRepository
from identity.adapters.tables import messaging, practitioners
from identity.bootstrap import Identity
from identity.service_layer.practices import create_practice

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "quiet meadow lantern river"
TOKEN = re.compile(r"\?token=([A-Za-z0-9_\-]+)")
DENTIST = {"practice_role": "practitioner", "clinical_role": "dentist"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def someone(name: str = "person") -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@smiledental.example"


@pytest.fixture
def dental(ident, login):
    """Smile Dental (dental model): its id and its owner's (Admin's) headers."""
    owner = someone("owner")
    created = create_practice(ident.uow(), name="Smile Dental", owner_email=owner,
                              owner_password=PASSWORD, catalog=ident.catalog,
                              hashing=ident.hashing, model="dental")
    return created.practice_id, bearer(login(owner)["access_token"])


def invite(client, admin, email: str, name: str, **fields):
    return client.post("/invitations", headers=admin, json={
        "full_name": name, "email": email, **DENTIST, **fields})


def link_token(mail_sink, email: str) -> str:
    return TOKEN.search(mail_sink.to(email)[-1].get_content()).group(1)


def accept(client, mail_sink, email: str, **fields):
    return client.post("/invitations/accept", json={
        "token": link_token(mail_sink, email), "password": NEW_PASSWORD, **fields})


def records_named(ident, practice_id: str, name: str) -> int:
    with ident.uow() as uow:
        return uow.session.execute(select(func.count()).select_from(practitioners).where(
            practitioners.c.org_id == practice_id, practitioners.c.name == name)).scalar_one()


def events(ident, event_type: str) -> list[dict]:
    with ident.uow() as uow:
        payloads = uow.session.execute(select(messaging.outbox.c.payload).where(
            messaging.outbox.c.event_type == event_type)).scalars().all()
    return [json.loads(p) for p in payloads]


def test_admins_list_the_practice_records_a_page_at_a_time(client, ident, dental, mail_sink,
                                                          login, new_practice):
    practice_id, admin = dental
    dentist = someone("dentist")
    assert invite(client, admin, dentist, "Ada Brook").status_code == 201
    assert accept(client, mail_sink, dentist).status_code == 201
    added = client.post("/users", headers=admin, json={
        "email": someone("hygienist"), "full_name": "Cal Dunn", "practice_role": "practitioner",
        "clinical_role": "hygienist"})
    assert added.status_code == 201, added.get_json()

    first = client.get("/practitioners?limit=1", headers=admin).get_json()
    [ada] = first["practitioners"]
    assert (ada["name"], ada["linked"], ada["clinical_role"]) == ("Ada Brook", True, "dentist")
    assert ada["user"]["full_name"] == "Ada Brook" and ada["clinic_ids"]
    second = client.get(f"/practitioners?limit=1&cursor={first['next_cursor']}",
                        headers=admin).get_json()
    assert [p["name"] for p in second["practitioners"]] == ["Cal Dunn"]
    assert second["next_cursor"] is None
    assert client.get("/practitioners?linked=false", headers=admin).get_json()[
        "practitioners"] == []
    bad = client.get("/practitioners?cursor=not-a-cursor", headers=admin)
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_cursor"

    # A User-level member may not list them; another practice's Admin sees only their own.
    ada_headers = bearer(login(dentist, NEW_PASSWORD)["access_token"])
    refused = client.get("/practitioners", headers=ada_headers)
    assert refused.status_code == 403 and refused.get_json()["error"]["message"]
    new_practice("Bayside Dental", "owner@bayside.example")
    other = bearer(login("owner@bayside.example")["access_token"])
    assert client.get("/practitioners", headers=other).get_json() == {
        "practitioners": [], "next_cursor": None}


def test_a_second_open_invitation_for_the_same_new_practitioner_waits_for_a_decision(
        client, dental):
    _, admin = dental
    first = invite(client, admin, someone(), "Jo Reyes").get_json()
    held = invite(client, admin, someone(), "jo  REYES")
    assert held.status_code == 409
    error = held.get_json()["error"]
    assert error["code"] == "practitioner_decision_required"
    assert error["details"]["possible_duplicates"] == [
        {"kind": "invitation", "id": first["id"], "name": "Jo Reyes", "linked": False,
         "invited": True}]
    assert "confirm_new_practitioner" in error["message"]
    assert invite(client, admin, someone(), "Jo Reyes",
                  confirm_new_practitioner=True).status_code == 201


def test_users_added_to_a_dental_practice_follow_its_model_and_the_duplicate_rule(
        client, ident, dental):
    practice_id, admin = dental

    def add(**fields):
        return client.post("/users", headers=admin, json={"email": someone(), **fields})

    no_role = add(full_name="Max Ode")
    assert no_role.status_code == 422
    assert no_role.get_json()["error"]["details"]["field"] == "practice_role"
    front = add(full_name="Max Ode", practice_role="front_desk").get_json()
    assert (front["user_type"], front["practice_role"]) == ("Front Desk", "front_desk")
    assert add(full_name="Max Ode", user_type="PT").status_code == 422

    dentist = add(full_name="Rae Kim", **DENTIST).get_json()
    assert dentist["user_type"] == "Dentist"
    held = add(full_name="rae kim", **DENTIST)
    assert held.status_code == 409
    [candidate] = held.get_json()["error"]["details"]["possible_duplicates"]
    assert (candidate["kind"], candidate["linked"]) == ("practitioner", True)
    taken = add(full_name="Rae Kim", **DENTIST, practitioner_id=candidate["id"])
    assert taken.get_json()["error"]["code"] == "practitioner_already_linked"
    assert records_named(ident, practice_id, "Rae Kim") == 1
    [created] = [e for e in events(ident, "identity.practitioner.created")
                 if e["subject"]["id"] == candidate["id"]]
    assert created["data"]["user_id"] == dentist["id"]
    [user_event] = [e for e in events(ident, "identity.user.created")
                    if e["subject"]["id"] == dentist["id"]]
    assert user_event["data"]["practitioner_id"] == candidate["id"]


def test_an_invitation_links_a_free_record_and_the_link_is_evented(client, ident, dental,
                                                                   mail_sink):
    practice_id, admin = dental
    first = someone()
    invite(client, admin, first, "Lou Park")
    assert accept(client, mail_sink, first).status_code == 201
    [record] = client.get("/practitioners", headers=admin).get_json()["practitioners"]
    # The same person later joins again under another address, while the first has left.
    with ident.uow() as uow:
        uow.session.execute(practitioners.update().values(user_id=None))
        uow.commit()
    again = someone()
    sent = invite(client, admin, again, "Lou Park", practitioner_id=record["id"])
    assert sent.status_code == 201
    listed = client.get("/practitioners", headers=admin).get_json()["practitioners"]
    assert listed[0]["invitation_id"] == sent.get_json()["id"]
    other = invite(client, admin, someone(), "Lou Park", practitioner_id=record["id"])
    assert other.get_json()["error"]["code"] == "practitioner_already_linked"
    joined = accept(client, mail_sink, again).get_json()
    [linked] = events(ident, "identity.practitioner.linked")
    assert linked["subject"]["id"] == record["id"]
    assert linked["data"]["user_id"] == joined["user_id"]
    assert records_named(ident, practice_id, "Lou Park") == 1


def two_open_invitations_for_one_new_practitioner(client, admin, monkeypatch) -> list[str]:
    """The first expires, a second is sent (no open namesake then), the first is resent:
    both are open, neither confirmed as a different person."""
    first, second = someone("first"), someone("second")
    sent = invite(client, admin, first, "Noor Haddad").get_json()
    later = Identity.now() + timedelta(days=8)
    monkeypatch.setattr(Identity, "now", staticmethod(lambda: later))
    assert invite(client, admin, second, "Noor Haddad").status_code == 201
    resent = client.post(f"/invitations/{sent['id']}/resend", headers=admin)
    assert resent.status_code == 200, resent.get_json()
    return [first, second]


def test_two_open_invitations_for_one_new_practitioner_end_with_one_record(
        client, ident, dental, mail_sink, monkeypatch):
    practice_id, admin = dental
    first, second = two_open_invitations_for_one_new_practitioner(client, admin, monkeypatch)
    assert accept(client, mail_sink, first).status_code == 201
    token = link_token(mail_sink, second)
    refused = client.post("/invitations/accept", json={"token": token,
                                                       "password": NEW_PASSWORD})
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "practitioner_decision_required"
    assert error["details"]["possible_duplicates"][0]["linked"] is True
    assert records_named(ident, practice_id, "Noor Haddad") == 1
    # The link still works: the invitee says they are a different person.
    joined = client.post("/invitations/accept", json={
        "token": token, "password": NEW_PASSWORD, "confirm_new_practitioner": True})
    assert joined.status_code == 201


def test_two_acceptances_at_the_same_moment_make_one_record(
        client, app, ident, dental, mail_sink, monkeypatch, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time (BEGIN IMMEDIATE): no race to test")
    practice_id, admin = dental
    emails = two_open_invitations_for_one_new_practitioner(client, admin, monkeypatch)
    tokens = [link_token(mail_sink, email) for email in emails]
    engine = create_engine(database_url)
    arrived: list[str] = []
    create_record = InvitationRepository.add_practitioner

    def create_in_step(self, *args, **kwargs):
        # Go on once the other acceptance is here too (then both saw no record: the race)
        # or waits for a lock (the practice's row: it will see this record).
        arrived.append("here")
        deadline = time.monotonic() + 15
        while len(arrived) < 2 and lock_waiters(engine) < 1:
            assert time.monotonic() < deadline, "the other acceptance never came"
            time.sleep(0.02)
        return create_record(self, *args, **kwargs)

    monkeypatch.setattr(InvitationRepository, "add_practitioner", create_in_step)
    answers: list = []
    threads = [threading.Thread(target=lambda t=t: answers.append(
        app.test_client().post("/invitations/accept",
                               json={"token": t, "password": NEW_PASSWORD})))
               for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    engine.dispose()
    assert sorted(a.status_code for a in answers) == [201, 409]
    [loser] = [a for a in answers if a.status_code == 409]
    assert loser.get_json()["error"]["code"] == "practitioner_decision_required"
    assert records_named(ident, practice_id, "Noor Haddad") == 1


def lock_waiters(engine) -> int:
    """Sessions of this database waiting for a lock (a new transaction each time:
    pg_stat_activity is a per-transaction snapshot)."""
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'")).scalar_one()
