"""Vendor staff under an access grant: the permissions in their token decide what they read,
not their kind; a read is recorded as the vendor's; they never upload or share."""

from __future__ import annotations

import uuid
from io import BytesIO

import pytest
from docportal_harness import PDF, bearer, outbox_events, uploaded

pytestmark = pytest.mark.integration

REVENUE_CYCLE = ("view_patients",)  # identity's revenue_cycle grant scope
BOTH = ("share_documents", "view_patients")


def vendor(practice, perms: tuple[str, ...], user_id: str) -> dict[str, str]:
    return bearer(practice.org_id, perms=perms, user_id=user_id, kind="vendor")


def test_a_revenue_cycle_vendor_reads_documents_and_each_read_names_the_vendor(
    app, client, practice
):
    document = uploaded(client, practice)
    vendor_id = str(uuid.uuid4())
    headers = vendor(practice, REVENUE_CYCLE, vendor_id)
    listed = client.get(f"/documents?patient_id={practice.patient_id}", headers=headers)
    assert listed.status_code == 200 and [d["id"] for d in listed.get_json()] == [document["id"]]
    assert client.get(f"/documents/{document['id']}/download", headers=headers).data == PDF
    [viewed] = outbox_events(app, "docportal.documents.viewed")
    [downloaded] = outbox_events(app, "docportal.document.downloaded")
    for event in (viewed, downloaded):
        assert event["actor"]["id"] == vendor_id and event["actor"]["kind"] == "vendor"


def test_a_vendor_without_view_patients_is_refused_by_permission_not_by_kind(client, practice):
    document = uploaded(client, practice)
    headers = vendor(practice, (), str(uuid.uuid4()))
    for url in (f"/documents?patient_id={practice.patient_id}",
                f"/documents/{document['id']}/download"):
        refused = client.get(url, headers=headers)
        assert refused.status_code == 403
        assert refused.get_json()["error"]["code"] == "permission_required"


def test_a_vendor_never_uploads_or_shares_whatever_its_token_holds(client, practice):
    document = uploaded(client, practice)
    headers = vendor(practice, BOTH, str(uuid.uuid4()))
    upload = client.post("/documents", headers=headers, content_type="multipart/form-data",
                         data={"patient_id": practice.patient_id, "kind": "letter",
                               "file": (BytesIO(PDF), "letter.pdf")})
    share = client.post("/shares", headers=headers, json={
        "document_ids": [document["id"]], "recipient_email": "dr.lee@example.org",
        "purpose": "treatment"})
    for refused in (upload, share):
        assert refused.status_code == 403
        assert refused.get_json()["error"]["code"] == "kind_not_allowed"
