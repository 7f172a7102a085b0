"""Uploading, listing and downloading documents on a real database and a real S3."""

import hashlib
import json
from dataclasses import replace

import pytest
from docportal_harness import (
    JPEG,
    PDF,
    PNG,
    bearer,
    make_app,
    make_config,
    outbox_events,
    table_rows,
    upload,
    uploaded,
)

from docportal.adapters.tables import documents

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(("content", "filename", "content_type"), [
    (PDF, "plan of care.pdf", "application/pdf"),
    (PNG, "x-ray.png", "image/png"),
    (JPEG, "scan.jpeg", "image/jpeg"),
])
def test_pdf_png_and_jpeg_uploads_are_stored_listed_and_announced(
        app, client, practice, seaweedfs, content, filename, content_type):
    body = uploaded(client, practice, content=content, filename=filename)

    assert body["content_type"] == content_type
    assert body["size_bytes"] == len(content)
    assert body["filename"] == filename
    stored = seaweedfs.client().get_object(Bucket=seaweedfs.bucket,
                                           Key=f"{practice.org_id}/{body['id']}")
    assert stored["Body"].read() == content
    listed = client.get(f"/documents?patient_id={practice.patient_id}", headers=practice.headers)
    assert [d["id"] for d in listed.get_json()] == [body["id"]]
    [viewed] = outbox_events(app, "docportal.documents.viewed")
    assert viewed["patient_id"] == practice.patient_id and viewed["data"]["record_count"] == 1
    [event] = outbox_events(app, "docportal.document.uploaded")
    assert event["patient_id"] == practice.patient_id
    assert event["subject"] == {"type": "document", "id": body["id"]}
    assert event["data"]["sha256"] == hashlib.sha256(content).hexdigest()
    assert filename not in json.dumps(event)  # a file name may hold the patient's name


def test_a_file_whose_bytes_are_not_a_document_is_refused_with_415(app, client, practice):
    response = upload(client, practice, content=b"PK\x03\x04 a zip file", filename="plan.pdf")

    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_document_type"
    assert table_rows(app, documents) == []


def test_a_file_over_the_upload_limit_is_refused_with_413(app, client, practice):
    too_large = PDF + b"0" * app.extensions["docportal"].config.max_upload_bytes

    response = upload(client, practice, content=too_large)

    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "document_too_large"
    assert table_rows(app, documents) == []


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(app, client, practice):
    response = upload(client, practice, content=PDF + b"0" * 1_000_000)

    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_download_streams_the_bytes_and_records_the_access(app, client, practice):
    document = uploaded(client, practice, content=PNG, filename="Knee – röntgen.png")

    response = client.get(f"/documents/{document['id']}/download", headers=practice.headers)

    assert response.status_code == 200
    assert response.data == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "filename*=UTF-8''Knee%20%E2%80%93%20r%C3%B6ntgen.png" in (
        response.headers["Content-Disposition"])
    [event] = outbox_events(app, "docportal.document.downloaded")
    assert event["patient_id"] == practice.patient_id
    assert event["subject"]["id"] == document["id"]


def test_another_practices_documents_are_not_found(app, client, practice, other_practice):
    document = uploaded(client, practice)

    download = client.get(f"/documents/{document['id']}/download",
                          headers=other_practice.headers)
    listed = client.get(f"/documents?patient_id={practice.patient_id}",
                        headers=other_practice.headers)

    assert download.status_code == 404
    assert download.get_json()["error"]["code"] == "document_not_found"
    assert listed.get_json() == []
    assert outbox_events(app, "docportal.document.downloaded") == []


def test_calls_without_a_token_are_refused_with_401(client, practice):
    assert client.get(f"/documents?patient_id={practice.patient_id}").status_code == 401
    assert client.post("/documents").status_code == 401


def test_staff_without_share_documents_are_refused_with_403(app, client, practice):
    headers = bearer(practice.org_id, perms=("view_patients",))

    response = upload(client, replace(practice, headers=headers))

    assert response.status_code == 403
    assert response.get_json()["error"]["details"] == {"missing": ["share_documents"]}
    assert table_rows(app, documents) == []


def test_uploads_ask_for_server_side_encryption_when_configured(
        database_url, tmp_path, seaweedfs, mail_sink, practice):
    app = make_app(make_config(database_url, tmp_path, seaweedfs, mail_sink.url,
                               s3_server_side_encryption="AES256"))

    document = uploaded(app.test_client(), practice)

    head = seaweedfs.client().head_object(Bucket=seaweedfs.bucket,
                                          Key=f"{practice.org_id}/{document['id']}")
    assert head["ServerSideEncryption"] == "AES256"
    app.extensions["servicekit.runtime"].close()


def test_the_openapi_document_lists_every_endpoint_with_bearer_auth(client):
    spec = client.get("/openapi.json").get_json()

    assert set(spec["paths"]) >= {
        "/documents", "/documents/{document_id}/download", "/shares", "/shares/{share_id}",
        "/shares/{share_id}/revoke", "/shares/{share_id}/reshare"}
    upload_body = spec["paths"]["/documents"]["post"]["requestBody"]["content"]
    ref = upload_body["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(spec["components"]["schemas"][ref]["required"]) == {"file", "patient_id"}
    assert spec["paths"]["/shares"]["post"]["security"] == [{"bearerAuth": []}]
