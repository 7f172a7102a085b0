"""Sharing with an outside recipient: the email, tracking, revoke, reshare, isolation."""

import hashlib
import json
import re
import uuid

import pytest
from docportal_harness import PNG, make_app, make_config, outbox_events, table_rows, uploaded
from sqlalchemy import select

from docportal.adapters.tables import shares
from docportal.service_layer.practices import record_practice_name
from servicekit.messaging.envelope import Subject, new_event

pytestmark = pytest.mark.integration

LINK = re.compile(r"https://clinic\.example/portal/s/([A-Za-z0-9_-]{43})")


def recipient() -> str:
    return f"dr.lee+{uuid.uuid4().hex[:8]}@example.org"


def share(client, practice, document_ids, email, **extra):
    return client.post("/shares", headers=practice.headers, json={
        "document_ids": document_ids, "recipient_email": email, "purpose": "treatment",
        "message": "Plan of care for Jane Doe, as discussed", **extra})


def token_hash(app, share_id: str) -> str:
    with app.extensions["servicekit.runtime"].engine.connect() as conn:
        return conn.execute(select(shares.c.token_hash).where(shares.c.id == share_id)).scalar()


def the_link_token(mail_sink, email: str, count: int = 1) -> str:
    mails = mail_sink.to(email)
    assert len(mails) == count
    return LINK.search(mails[-1].get_content()).group(1)


def name_the_practice(app, org_id: str, name: str) -> None:
    """What the docportal.identity consumer does with identity.practice.created."""
    with app.extensions["docportal"].uow() as uow:
        record_practice_name(uow, new_event(
            "identity.practice.created", subject=Subject("practice", org_id), org_id=org_id,
            data={"name": name, "owner_id": "u-1"}))
        uow.commit()


def test_a_share_sends_one_mail_with_the_link_and_no_patient_details(
        app, client, practice, mail_sink):
    name_the_practice(app, practice.org_id, "Sunrise PT")
    document = uploaded(client, practice, filename="Jane Doe plan.pdf")
    email = recipient()

    response = share(client, practice, [document["id"]], email)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "sent" and body["mail_status"] == "sent"
    [mail] = mail_sink.to(email)
    text = LINK.sub("<link>", mail.get_content())  # a random token may spell anything
    assert mail["Subject"] == "Sunrise PT shared documents with you"
    token = the_link_token(mail_sink, email)
    assert hashlib.sha256(token.encode()).hexdigest() == token_hash(app, body["id"])
    for private in ("Jane", "Doe", practice.patient_id, document["id"], "Plan of care"):
        assert private not in text and private not in mail["Subject"]
    assert token not in response.get_data(as_text=True)  # the token is in the mail only
    [event] = outbox_events(app, "docportal.share.sent")
    assert event["patient_id"] == practice.patient_id
    assert event["data"]["document_ids"] == [document["id"]]
    # What the audit's accounting of disclosures needs, and not the sender's free text.
    assert event["data"]["documents"] == [{"id": document["id"], "kind": document["kind"]}]
    assert (event["data"]["recipient_email"], event["data"]["purpose"]) == (email, "treatment")
    assert event["data"]["purpose_description"] is None
    for private in ("Jane", "Doe", "Plan of care"):
        assert private not in json.dumps(event)


def test_a_share_is_kept_as_mail_pending_while_the_mail_server_is_down(
        database_url, tmp_path, seaweedfs, dead_smtp_url, practice):
    app = make_app(make_config(database_url, tmp_path, seaweedfs, dead_smtp_url))
    client = app.test_client()
    document = uploaded(client, practice)

    response = share(client, practice, [document["id"]], recipient())

    assert response.status_code == 201
    assert response.get_json()["mail_status"] == "pending"
    tracking = client.get(f"/shares/{response.get_json()['id']}", headers=practice.headers)
    assert tracking.get_json()["mail_status"] == "pending"
    assert len(table_rows(app, shares)) == 1
    app.extensions["servicekit.runtime"].close()


def test_after_revoking_the_tracking_shows_the_share_revoked(app, client, practice):
    document = uploaded(client, practice)
    share_id = share(client, practice, [document["id"]], recipient()).get_json()["id"]

    revoked = client.post(f"/shares/{share_id}/revoke", headers=practice.headers)
    tracking = client.get(f"/shares/{share_id}", headers=practice.headers).get_json()

    assert revoked.status_code == 200
    assert tracking["status"] == "revoked"
    assert tracking["revoked_at"] is not None
    assert tracking["views"] == 0 and tracking["activity"] == []
    [event] = outbox_events(app, "docportal.share.revoked")
    assert event["patient_id"] == practice.patient_id


def test_a_reshare_mails_a_new_link_and_kills_the_old_one(app, client, practice, mail_sink):
    document = uploaded(client, practice, content=PNG, filename="scan.png")
    email = recipient()
    old_id = share(client, practice, [document["id"]], email).get_json()["id"]
    old_token = the_link_token(mail_sink, email)

    response = client.post(f"/shares/{old_id}/reshare", headers=practice.headers, json={})

    assert response.status_code == 201
    new = response.get_json()
    new_token = the_link_token(mail_sink, email, count=2)
    assert new_token != old_token
    assert token_hash(app, new["id"]) == hashlib.sha256(new_token.encode()).hexdigest()
    assert new["supersedes_id"] == old_id and new["document_ids"] == [document["id"]]
    old = client.get(f"/shares/{old_id}", headers=practice.headers).get_json()
    assert old["status"] == "superseded" and old["superseded_by_id"] == new["id"]
    again = client.post(f"/shares/{old_id}/reshare", headers=practice.headers, json={})
    assert again.status_code == 409
    [event] = outbox_events(app, "docportal.share.reshared")
    assert event["data"]["supersedes_id"] == old_id
    assert event["data"]["documents"] == [{"id": document["id"], "kind": document["kind"]}]
    assert event["patient_id"] == practice.patient_id


def test_documents_of_two_patients_cannot_go_in_one_share(app, client, practice):
    first = uploaded(client, practice)
    second = uploaded(client, practice, patient_id="another-patient")

    response = share(client, practice, [first["id"], second["id"]], recipient())

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_share"


def test_another_practice_can_neither_share_nor_see_nor_revoke(
        app, client, practice, other_practice, mail_sink):
    document = uploaded(client, practice)
    share_id = share(client, practice, [document["id"]], recipient()).get_json()["id"]
    email = recipient()

    shared = share(client, other_practice, [document["id"]], email)
    tracked = client.get(f"/shares/{share_id}", headers=other_practice.headers)
    revoked = client.post(f"/shares/{share_id}/revoke", headers=other_practice.headers)

    assert shared.status_code == 404 and mail_sink.to(email) == []
    assert tracked.status_code == 404 and revoked.status_code == 404
    assert tracked.get_json()["error"]["code"] == "share_not_found"
    assert client.get(f"/shares/{share_id}", headers=practice.headers).get_json()[
        "status"] == "sent"


def test_sharing_needs_a_token_and_the_share_documents_permission(client, practice):
    from docportal_harness import bearer

    assert client.post("/shares", json={}).status_code == 401
    forbidden = client.post("/shares", json={}, headers=bearer(practice.org_id, perms=()))
    assert forbidden.status_code == 403
