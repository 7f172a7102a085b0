"""A document filed in the wrong chart: found alone, withdrawn, its shares revoked at once."""

import json
import uuid

import pytest
from docportal_harness import PDF, bearer, make_config, outbox_events, table_rows, uploaded
from portal_harness import FakeRecipientAccounts, make_portal_app
from test_portal_pages import BROWSER, claimed, send_share

from docportal.adapters.tables import documents

pytestmark = pytest.mark.integration

REASON = "Filed under the wrong patient: belongs to Jane Doe"


def withdraw(client, practice, document_id: str, reason: str = REASON):
    return client.post(f"/documents/{document_id}/withdraw", headers=practice.headers,
                       json={"reason": reason})


def test_a_document_is_found_by_its_id_and_the_read_is_recorded(app, client, practice):
    document = uploaded(client, practice, filename="Jane Doe plan.pdf")

    found = client.get(f"/documents/{document['id']}", headers=practice.headers)

    assert found.status_code == 200
    assert found.get_json() == {**document, "withdrawn_at": None, "withdrawn_by": None,
                                "withdrawal_reason": None}
    [viewed] = outbox_events(app, "docportal.document.viewed")
    assert viewed["subject"]["id"] == document["id"] and viewed["data"] == {"by": "staff"}
    assert viewed["patient_id"] == practice.patient_id


def test_a_withdrawn_document_leaves_the_list_and_downloads_but_row_and_bytes_stay(
        app, client, practice, seaweedfs):
    document = uploaded(client, practice)

    response = withdraw(client, practice, document["id"])

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["withdrawal_reason"] == REASON and body["withdrawn_at"] is not None
    assert client.get(f"/documents?patient_id={practice.patient_id}",
                      headers=practice.headers).get_json() == []
    download = client.get(f"/documents/{document['id']}/download", headers=practice.headers)
    assert download.status_code == 410
    assert download.get_json()["error"]["code"] == "document_withdrawn"
    assert "upload it to that patient's documents" in download.get_json()["error"]["message"]
    assert client.get(f"/documents/{document['id']}", headers=practice.headers
                      ).get_json()["withdrawn_at"] == body["withdrawn_at"]
    [row] = table_rows(app, documents)
    assert row.withdrawal_reason == REASON
    stored = seaweedfs.client().get_object(Bucket=seaweedfs.bucket,
                                           Key=f"{practice.org_id}/{document['id']}")
    assert stored["Body"].read() == PDF
    [event] = outbox_events(app, "docportal.document.withdrawn")
    assert event["subject"] == {"type": "document", "id": document["id"]}
    assert event["data"] == {"revoked_share_ids": []}
    assert "Jane" not in json.dumps(event)  # the reason may name a patient: ids only


def test_withdrawing_twice_answers_the_same_and_emits_once(app, client, practice):
    document = uploaded(client, practice)
    first = withdraw(client, practice, document["id"])

    again = withdraw(client, practice, document["id"], reason="another reason")

    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    assert len(outbox_events(app, "docportal.document.withdrawn")) == 1


def test_a_withdrawn_document_can_be_neither_shared_nor_reshared(app, client, practice):
    document = uploaded(client, practice)
    body = {"document_ids": [document["id"]], "recipient_email": "dr.lee@example.org",
            "purpose": "treatment"}
    earlier = client.post("/shares", headers=practice.headers, json=body).get_json()
    withdraw(client, practice, document["id"])

    shared = client.post("/shares", headers=practice.headers, json=body)
    reshared = client.post(f"/shares/{earlier['id']}/reshare", headers=practice.headers,
                           json={})

    for refused in (shared, reshared):
        assert refused.status_code == 410, refused.get_json()
        assert refused.get_json()["error"]["code"] == "document_withdrawn"


@pytest.fixture
def portal_app(database_url, tmp_path, seaweedfs, smtp_url):
    app = make_portal_app(make_config(database_url, tmp_path, seaweedfs, smtp_url),
                          FakeRecipientAccounts())
    yield app
    app.extensions["servicekit.runtime"].close()


def test_withdrawal_revokes_every_open_share_and_the_recipient_loses_access_at_once(
        portal_app, practice, mail_sink):
    staff, browser = portal_app.test_client(), portal_app.test_client()
    email = f"dr.lee+{uuid.uuid4().hex[:8]}@example.org"
    document, share, token = send_share(staff, practice, mail_sink, email)
    claimed(browser, token, email)
    assert browser.get(f"/portal/documents/{document['id']}/file",
                       headers=BROWSER).status_code == 200
    second = staff.post("/shares", headers=practice.headers, json={
        "document_ids": [document["id"]], "recipient_email": "dr.kim@example.org",
        "purpose": "treatment"}).get_json()

    assert withdraw(staff, practice, document["id"]).status_code == 200

    for share_id in (share["id"], second["id"]):
        assert staff.get(f"/shares/{share_id}", headers=practice.headers
                         ).get_json()["status"] == "revoked"
    for path in (f"/portal/documents/{document['id']}",
                 f"/portal/documents/{document['id']}/file?download=1", f"/portal/s/{token}"):
        assert browser.get(path, headers=BROWSER).status_code == 410, path
    assert b"plan.pdf" not in browser.get("/portal/shared", headers=BROWSER).data
    [withdrawn] = outbox_events(portal_app, "docportal.document.withdrawn")
    assert sorted(withdrawn["data"]["revoked_share_ids"]) == sorted([share["id"], second["id"]])
    revoked = outbox_events(portal_app, "docportal.share.revoked")
    assert {e["subject"]["id"] for e in revoked} == {share["id"], second["id"]}


def test_another_practice_can_neither_find_nor_withdraw_the_document(
        app, client, practice, other_practice):
    document = uploaded(client, practice)

    found = client.get(f"/documents/{document['id']}", headers=other_practice.headers)
    withdrawn = withdraw(client, other_practice, document["id"])

    assert (found.status_code, withdrawn.status_code) == (404, 404)
    assert table_rows(app, documents)[0].withdrawn_at is None


def test_withdrawal_needs_share_documents_and_a_reason(app, client, practice):
    document = uploaded(client, practice)
    viewer = bearer(practice.org_id, perms=("view_patients",))

    refused = client.post(f"/documents/{document['id']}/withdraw", headers=viewer,
                          json={"reason": REASON})
    no_reason = client.post(f"/documents/{document['id']}/withdraw",
                            headers=practice.headers, json={})

    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "permission_required"
    assert no_reason.status_code == 422
    assert client.get(f"/documents/{document['id']}", headers=viewer).status_code == 200
