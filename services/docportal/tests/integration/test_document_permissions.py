"""A patient's documents are part of the patient's record: every staff route needs
view_patients, and sharing needs share_documents as well. A refusal records nothing."""

import uuid
from io import BytesIO

import pytest
from docportal_harness import PDF, bearer, table_rows, uploaded

from docportal.adapters.tables import documents, shares

pytestmark = pytest.mark.integration

SHARE_ONLY = ("share_documents",)
VIEW_ONLY = ("view_patients",)


def _shared(client, practice) -> tuple[str, str]:
    document = uploaded(client, practice)
    response = client.post("/shares", headers=practice.headers, json={
        "document_ids": [document["id"]], "recipient_email": "dr.lee@example.org",
        "purpose": "treatment"})
    assert response.status_code == 201, response.get_json()
    return document["id"], response.get_json()["id"]


def _events(app) -> list:
    return table_rows(app, app.extensions["servicekit.runtime"].messaging.outbox)


def _requests(practice, document_id: str, share_id: str, email: str) -> dict[str, tuple]:
    """Every staff route, with a body that would succeed for a caller holding both."""
    upload_form = {"data": {"patient_id": practice.patient_id, "kind": "letter",
                            "file": (BytesIO(PDF), "letter.pdf")},
                   "content_type": "multipart/form-data"}
    return {
        "list": ("GET", f"/documents?patient_id={practice.patient_id}", {}),
        "download": ("GET", f"/documents/{document_id}/download", {}),
        "upload": ("POST", "/documents", upload_form),
        "from-note": ("POST", "/documents/from-note",
                      {"json": {"patient_id": practice.patient_id, "note_id": "n-1"}}),
        "share": ("POST", "/shares", {"json": {
            "document_ids": [document_id], "recipient_email": email,
            "purpose": "treatment"}}),
        "track": ("GET", f"/shares/{share_id}", {}),
        "revoke": ("POST", f"/shares/{share_id}/revoke", {}),
        "reshare": ("POST", f"/shares/{share_id}/reshare", {"json": {}}),
    }


@pytest.mark.parametrize(("perms", "missing"), [
    (SHARE_ONLY, ["view_patients"]),
    (VIEW_ONLY, ["share_documents"]),
    ((), ["share_documents", "view_patients"]),
])
def test_every_staff_route_needs_view_patients_and_share_documents(
        app, client, practice, mail_sink, perms, missing):
    document_id, share_id = _shared(client, practice)
    events_before = len(_events(app))
    email = f"dr.kim+{uuid.uuid4().hex[:8]}@example.org"
    headers = bearer(practice.org_id, perms=perms)

    answers = {name: client.open(url, method=method, headers=headers, **options)
               for name, (method, url, options) in _requests(practice, document_id,
                                                             share_id, email).items()}

    refused = {name: (r.status_code, r.get_json()["error"]["code"],
                      r.get_json()["error"]["details"]) for name, r in answers.items()}
    assert refused == dict.fromkeys(answers, (403, "permission_required",
                                              {"missing": missing}))
    assert len(table_rows(app, documents)) == 1 and len(table_rows(app, shares)) == 1
    assert len(_events(app)) == events_before  # no view, download or share recorded
    assert mail_sink.to(email) == []


def test_a_staff_member_without_view_patients_gets_no_document_bytes_or_names(
        client, practice):
    document = uploaded(client, practice, filename="Jane Doe plan of care.pdf")
    headers = bearer(practice.org_id, perms=SHARE_ONLY)

    listed = client.get(f"/documents?patient_id={practice.patient_id}", headers=headers)
    downloaded = client.get(f"/documents/{document['id']}/download", headers=headers)

    for response in (listed, downloaded):
        assert response.status_code == 403
        assert PDF not in response.get_data() and b"Jane Doe" not in response.get_data()
