"""A patient's documents are part of the patient's record: every staff route needs
view_patients, and filing or sharing them needs share_documents as well. A refusal records
nothing."""

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


READS = ("list", "download")


@pytest.mark.parametrize(("perms", "missing", "routes"), [
    (SHARE_ONLY, ["view_patients"], None),
    ((), ["share_documents", "view_patients"], "writes"),
    ((), ["view_patients"], "reads"),
    (VIEW_ONLY, ["share_documents"], "writes"),
])
def test_reading_needs_view_patients_and_filing_or_sharing_needs_share_documents_too(
        app, client, practice, mail_sink, perms, missing, routes):
    document_id, share_id = _shared(client, practice)
    events_before = len(_events(app))
    email = f"dr.kim+{uuid.uuid4().hex[:8]}@example.org"
    headers = bearer(practice.org_id, perms=perms)

    chosen = {name: call for name, call in _requests(practice, document_id, share_id,
                                                     email).items()
              if routes is None or (name in READS) == (routes == "reads")}
    answers = {name: client.open(url, method=method, headers=headers, **options)
               for name, (method, url, options) in chosen.items()}

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


def test_view_patients_alone_lists_and_opens_a_patients_documents(client, practice):
    document = uploaded(client, practice)
    headers = bearer(practice.org_id, perms=VIEW_ONLY)

    listed = client.get(f"/documents?patient_id={practice.patient_id}", headers=headers)
    downloaded = client.get(f"/documents/{document['id']}/download", headers=headers)

    assert listed.status_code == 200 and [d["id"] for d in listed.get_json()] == [document["id"]]
    assert downloaded.status_code == 200 and downloaded.get_data() == PDF
