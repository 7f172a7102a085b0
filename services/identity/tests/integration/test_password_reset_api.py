"""Password reset by email through HTTP: one answer for every address, a one-hour link,
and a reset that ends every session."""

from __future__ import annotations

import json
import re
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from identity.adapters.signing_keys import new_private_key_pem
from identity.adapters.tables import messaging
from identity.app import create_app
from identity.bootstrap import Identity
from identity.service_layer.sessions import issue_password_setup
from identity.spec import SPEC
from servicekit.migrations import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from identity_accounts import PASSWORD, bearer, new_recipient  # noqa: E402

pytestmark = pytest.mark.integration
STAFF_APP = "http://staff.example/app"
PORTAL = "http://portal.example/portal"
TOKEN = re.compile(r"\?token=([A-Za-z0-9_\-]+)")
ANSWER = {"status": "If an account with this email exists, we sent a link to reset its password."}
NEW_PASSWORD = "amber pelican thunder road"


@pytest.fixture
def app(database_url, tmp_path, mail_sink):
    upgrade(SPEC.migrations_dir, database_url)
    app = create_app(SPEC.load_config(
        local_dir=tmp_path, database_url=database_url, bus_url="memory://",
        jwt_private_keys=new_private_key_pem(), smtp_url=mail_sink.url, staff_app_url=STAFF_APP,
        portal_base_url=PORTAL,
    ))
    app.config["TESTING"] = True
    yield app
    app.extensions["servicekit.runtime"].close()


def event_types(ident) -> list[str]:
    with ident.uow() as uow:
        return list(uow.session.execute(select(messaging.outbox.c.event_type)).scalars())


def events(ident, event_type: str) -> list[dict]:
    with ident.uow() as uow:
        payloads = uow.session.execute(
            select(messaging.outbox.c.payload).where(messaging.outbox.c.event_type == event_type)
        ).scalars().all()
    return [json.loads(p) for p in payloads]


@pytest.fixture
def person(add_person, practice) -> str:
    """A staff member with an address no other test uses (the mail sink lives all session)."""
    email = f"reset-{uuid.uuid4().hex[:12]}@harbourphysio.example"
    add_person(practice, "resetter", "PT", email)
    return email


def forgot(client, email: str, account: str = "staff"):
    """Ask for a link, and wait for the mail that goes out after the answer."""
    answer = client.post("/password/forgot", json={"email": email, "account": account})
    assert client.application.extensions["identity"].after_answer.drain()
    return answer


def reset_token(mail_sink, email: str, count: int = 1) -> str:
    mails = mail_sink.to(email)
    assert len(mails) == count
    return TOKEN.search(mails[-1].get_content()).group(1)


def test_a_reset_sets_the_new_password_and_ends_every_session(
    client, ident, mail_sink, login, person
):
    first, second = login(person), login(person)

    asked = forgot(client, person)

    assert asked.status_code == 202 and asked.get_json() == ANSWER
    [mail] = mail_sink.to(person)
    assert f"{STAFF_APP}/reset-password?token=" in mail.get_content()
    assert "Harbour Physio" in mail.get_content()
    token = reset_token(mail_sink, person)
    done = client.post("/password/reset", json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 204, done.get_json()
    for session in (first, second):
        refreshed = client.post("/token/refresh", json={"refresh_token": session["refresh_token"]})
        assert refreshed.status_code == 401
    assert client.post("/login", json={"email": person, "password": "correct horse battery "
                                       "staple"}).status_code == 401
    assert login(person, NEW_PASSWORD)["access_token"]
    again = client.post("/password/reset", json={"token": token, "password": NEW_PASSWORD})
    assert again.status_code == 410 and again.get_json()["error"]["code"] == "link_unusable"
    [requested] = events(ident, "identity.password.reset_requested")
    assert requested["data"]["account"] == "staff"
    [reset] = events(ident, "identity.password.reset")
    assert reset["data"]["sessions_revoked"] == 2
    assert len(events(ident, "identity.session.revoked")) == 2


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, ident, mail_sink, practice):
    before = event_types(ident)
    nobody = f"nobody-{uuid.uuid4().hex}@harbourphysio.example"

    answer = forgot(client, nobody)

    assert answer.status_code == 202 and answer.get_json() == ANSWER
    assert mail_sink.to(nobody) == []
    assert event_types(ident) == before
    assert forgot(client, "not an address").get_json() == ANSWER


def test_a_staff_address_asked_for_as_a_recipient_gets_nothing(client, mail_sink, person):
    answer = forgot(client, person, account="recipient")
    assert answer.status_code == 202 and answer.get_json() == ANSWER
    assert mail_sink.to(person) == []


def test_a_reset_link_dies_after_an_hour(client, ident, mail_sink, person, monkeypatch):
    forgot(client, person)
    token = reset_token(mail_sink, person)
    later = ident.now() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(Identity, "now", staticmethod(lambda: later))

    refused = client.post("/password/reset", json={"token": token, "password": NEW_PASSWORD})

    assert refused.status_code == 410
    assert refused.get_json()["error"]["code"] == "link_expired"


def test_a_weak_password_is_refused_and_the_link_stays_usable(client, mail_sink, person):
    forgot(client, person)
    token = reset_token(mail_sink, person)
    weak = client.post("/password/reset", json={"token": token, "password": "harbour physio"})
    assert weak.status_code == 422
    assert "contains_practice_name" in weak.get_json()["error"]["details"]["reasons"]
    done = client.post("/password/reset", json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 204


def test_one_reset_ends_every_other_link_of_the_account(client, mail_sink, person):
    forgot(client, person)
    forgot(client, person)
    older, newer = (TOKEN.search(m.get_content()).group(1) for m in mail_sink.to(person))
    assert client.post("/password/reset",
                       json={"token": newer, "password": NEW_PASSWORD}).status_code == 204
    stale = client.post("/password/reset", json={"token": older, "password": NEW_PASSWORD})
    assert stale.status_code == 410


def test_a_recipient_resets_through_the_portal_and_is_signed_out(client, ident, mail_sink):
    email = f"recipient-{uuid.uuid4().hex[:12]}@orthoclinic.example"
    user_id = new_recipient(ident, email)
    signed_in = client.post("/login", json={"email": email, "password": PASSWORD,
                                            "account": "recipient"}).get_json()
    assert forgot(client, email).get_json() == ANSWER
    assert mail_sink.to(email) == []  # a staff reset never reaches a recipient account

    assert forgot(client, email.upper(), account="recipient").get_json() == ANSWER

    [mail] = mail_sink.to(email)
    assert f"{PORTAL}/reset-password?token=" in mail.get_content()
    token = reset_token(mail_sink, email)
    assert client.post("/password/reset",
                       json={"token": token, "password": NEW_PASSWORD}).status_code == 204
    refreshed = client.post("/token/refresh", json={"refresh_token": signed_in["refresh_token"]})
    assert refreshed.status_code == 401
    again = client.post("/login", json={"email": email, "password": NEW_PASSWORD,
                                        "account": "recipient"})
    assert again.status_code == 200
    [reset] = events(ident, "identity.password.reset")
    assert reset["subject"]["id"] == user_id and reset["org_id"] is None


def test_an_access_token_issued_before_a_reset_is_refused_at_once(
    client, ident, mail_sink, login, person
):
    before = login(person)
    me = client.get("/me", headers=bearer(before["access_token"]))
    assert me.status_code == 200
    version = me.get_json()["permission_version"]
    forgot(client, person)
    done = client.post("/password/reset",
                       json={"token": reset_token(mail_sink, person), "password": NEW_PASSWORD})
    assert done.status_code == 204

    refused = client.get("/me", headers=bearer(before["access_token"]))

    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "token_outdated"
    after = client.get("/me", headers=bearer(login(person, NEW_PASSWORD)["access_token"]))
    assert after.status_code == 200 and after.get_json()["permission_version"] == version + 1
    # Other services learn the new version (with the unchanged permissions) from the event.
    [reset] = events(ident, "identity.password.reset")
    assert reset["data"]["permission_version"] == version + 1
    assert reset["data"]["after"]["permissions"] == sorted(me.get_json()["permissions"])


def test_a_setup_link_that_replaces_a_password_also_outdates_earlier_tokens(
    client, ident, login, person
):
    before = login(person)
    user_id = client.get("/me", headers=bearer(before["access_token"])).get_json()["id"]
    with ident.uow() as uow:
        setup = issue_password_setup(uow, user_id, ident.now())
        uow.commit()
    done = client.post("/password/set", json={"token": setup, "password": NEW_PASSWORD})
    assert done.status_code == 204, done.get_json()
    refused = client.get("/me", headers=bearer(before["access_token"]))
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "token_outdated"
    replaced = [e["data"] for e in events(ident, "identity.user.password_set")
                if e["subject"]["id"] == user_id][-1]
    assert replaced["replaced"] is True and replaced["permission_version"] == 2


def test_a_first_password_leaves_the_permission_version_alone(ident, practice):
    first = [e["data"] for e in events(ident, "identity.user.password_set")
             if e["subject"]["id"] == practice.users["therapist"]]
    assert first == [{"replaced": False}]
