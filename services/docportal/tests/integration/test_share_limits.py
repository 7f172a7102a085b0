"""Share mails are limited per sender and per recipient address, counted in the database:
429 too_many_shares with Retry-After, no share stored, no mail sent."""

from __future__ import annotations

import threading
import uuid

import pytest
from docportal_harness import Practice, bearer, make_app, make_config, table_rows, uploaded

from docportal.adapters.tables import shares
from docportal.domain.share_limits import SHARES_PER_RECIPIENT, SHARES_PER_SENDER

pytestmark = pytest.mark.integration


def address() -> str:
    return f"dr.lee+{uuid.uuid4().hex[:8]}@example.org"


def share(client, headers, document_id, email):
    return client.post("/shares", headers=headers, json={
        "document_ids": [document_id], "recipient_email": email, "purpose": "treatment"})


def assert_too_many(response, per: str) -> dict:
    assert response.status_code == 429, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "too_many_shares"
    assert error["details"]["per"] == per
    assert 1 <= int(response.headers["Retry-After"]) == error["details"]["retry_after_seconds"]
    assert "Try again in" in error["message"]
    return error


def test_a_sender_is_refused_after_ten_share_mails_in_ten_minutes(client, practice, mail_sink):
    document = uploaded(client, practice)
    for _ in range(SHARES_PER_SENDER):
        assert share(client, practice.headers, document["id"], address()).status_code == 201
    refused_to = address()

    refused = share(client, practice.headers, document["id"], refused_to)

    assert_too_many(refused, "sender")
    assert mail_sink.to(refused_to) == []
    # A colleague in the same practice still shares.
    colleague = bearer(practice.org_id)
    assert share(client, colleague, document["id"], address()).status_code == 201


def test_an_address_gets_at_most_five_share_mails_an_hour_from_one_practice(
        client, practice, other_practice, mail_sink):
    email = address()
    document = uploaded(client, practice)
    for _ in range(SHARES_PER_RECIPIENT):
        colleague = bearer(practice.org_id)  # a different sender each time
        assert share(client, colleague, document["id"], email).status_code == 201

    refused = share(client, bearer(practice.org_id), document["id"], email.upper())

    assert_too_many(refused, "recipient")
    assert len(mail_sink.to(email)) == SHARES_PER_RECIPIENT
    # Another practice's shares to the same address are its own to count.
    theirs = uploaded(client, other_practice)
    assert share(client, other_practice.headers, theirs["id"], email).status_code == 201


def test_a_reshare_is_a_share_mail_and_counts_too(client, practice):
    email = address()
    document = uploaded(client, practice)
    sent = share(client, practice.headers, document["id"], email).get_json()
    for _ in range(SHARES_PER_RECIPIENT - 1):
        again = client.post(f"/shares/{sent['id']}/reshare", headers=practice.headers, json={})
        assert again.status_code == 201, again.get_json()
        sent = again.get_json()

    refused = client.post(f"/shares/{sent['id']}/reshare", headers=practice.headers, json={})

    assert_too_many(refused, "recipient")
    latest = client.get(f"/shares/{sent['id']}", headers=practice.headers).get_json()
    assert latest["status"] == "sent" and latest["superseded_by_id"] is None


def test_a_burst_from_many_replicas_at_once_still_stops_at_the_limit(
        app, practice, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer through at a time; the race needs PostgreSQL")
    document = uploaded(app.test_client(), practice)
    answers: list[int] = []
    start = threading.Barrier(SHARES_PER_SENDER + 5)

    def send() -> None:
        client = app.test_client()  # each like its own replica: own connection, own request
        start.wait()
        answers.append(share(client, practice.headers, document["id"], address()).status_code)

    threads = [threading.Thread(target=send) for _ in range(SHARES_PER_SENDER + 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(answers) == [201] * SHARES_PER_SENDER + [429] * 5
    stored = [row for row in table_rows(app, shares) if row.org_id == practice.org_id]
    assert len(stored) == SHARES_PER_SENDER


def test_the_limits_can_be_raised_by_configuration(database_url, tmp_path, seaweedfs, mail_sink):
    app = make_app(make_config(database_url, tmp_path, seaweedfs, mail_sink.url,
                               share_mails_per_recipient=SHARES_PER_RECIPIENT + 2))
    try:
        org_id = str(uuid.uuid4())
        client, practice = app.test_client(), Practice(org_id, "p-1", bearer(org_id))
        document, email = uploaded(client, practice), address()
        codes = [share(client, practice.headers, document["id"], email).status_code
                 for _ in range(SHARES_PER_RECIPIENT + 3)]
        assert codes == [201] * (SHARES_PER_RECIPIENT + 2) + [429]
    finally:
        app.extensions["servicekit.runtime"].close()
