"""POST /documents/from-note against the real notes API over HTTP, on a real database and S3."""

from __future__ import annotations

import hashlib
import io
import json
import threading

import pytest
from docportal_harness import bearer, make_app, make_config, outbox_events, table_rows
from notes_server import NotesServer
from pypdf import PdfReader
from werkzeug.serving import make_server

from docportal.adapters.tables import documents
from servicekit_testing.servers import free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def notes_server(tmp_path_factory, seaweedfs):
    server = NotesServer(tmp_path_factory.mktemp("notes"), seaweedfs)
    yield server
    server.close()


def _portal(database_url, tmp_path, seaweedfs, smtp_url, notes_url: str):
    return make_app(make_config(database_url, tmp_path, seaweedfs, smtp_url,
                                notes_url=notes_url))


@pytest.fixture
def portal(database_url, tmp_path, seaweedfs, smtp_url, notes_server):
    app = _portal(database_url, tmp_path, seaweedfs, smtp_url, notes_server.url)
    yield app
    app.extensions["servicekit.runtime"].close()


def _attach(portal, headers, patient_id, note_id):
    return portal.test_client().post("/documents/from-note", headers=headers,
                                     json={"patient_id": patient_id, "note_id": note_id})


def test_a_finalized_note_is_stored_as_the_patients_document(portal, notes_server, seaweedfs):
    practice = notes_server.new_practice()
    note = notes_server.finalized(practice, subjective="Knee pain 4/10 on stairs.")

    response = _attach(portal, practice.headers(), practice.patient_id, note["id"])

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["patient_id"], body["kind"], body["content_type"]) == (
        practice.patient_id, "note", "application/pdf")
    assert body["filename"] == f"note-{note['id']}.pdf"
    stored = seaweedfs.client().get_object(Bucket=seaweedfs.bucket,
                                           Key=f"{practice.org_id}/{body['id']}")["Body"].read()
    assert stored.startswith(b"%PDF-") and len(stored) == body["size_bytes"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(stored)).pages)
    assert "Patient: Pat Lee" in text and "Knee pain 4/10 on stairs." in text
    [uploaded] = outbox_events(portal, "docportal.document.uploaded")
    assert uploaded["data"]["sha256"] == hashlib.sha256(stored).hexdigest()
    assert (uploaded["data"]["source"], uploaded["data"]["note_id"]) == ("notes", note["id"])
    assert "Lee" not in json.dumps(uploaded)
    # Notes saw the staff member's own token: the download is theirs in notes' record too.
    downloads = [e for e in notes_server.outbox("notes.note.downloaded")
                 if e["subject"]["id"] == note["id"]]
    assert [e["actor"]["id"] for e in downloads] == [practice.therapist_id]


def test_a_draft_note_is_refused_with_409_and_nothing_is_stored(portal, notes_server):
    practice = notes_server.new_practice()
    draft = notes_server.draft(practice)

    response = _attach(portal, practice.headers(), practice.patient_id, draft["id"])

    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "note_not_finalized"
    assert "finalize the note first" in error["message"]
    assert table_rows(portal, documents) == []


def test_another_practices_note_is_not_found(portal, notes_server):
    practice, other = notes_server.new_practice(), notes_server.new_practice()
    note = notes_server.finalized(practice)

    response = _attach(portal, other.headers(), practice.patient_id, note["id"])

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "note_not_found"
    assert table_rows(portal, documents) == []


def test_a_staff_member_who_may_not_view_patients_is_refused_before_notes_is_asked(
        portal, notes_server):
    practice = notes_server.new_practice()
    note = notes_server.finalized(practice)
    before = len(notes_server.outbox("notes.note.downloaded"))

    response = _attach(portal, practice.headers(perms=("share_documents",)),
                       practice.patient_id, note["id"])

    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "permission_required"
    assert response.get_json()["error"]["details"] == {"missing": ["view_patients"]}
    assert len(notes_server.outbox("notes.note.downloaded")) == before
    assert table_rows(portal, documents) == []


def test_sharing_needs_share_documents_before_notes_is_asked(portal, notes_server):
    practice = notes_server.new_practice()
    note = notes_server.finalized(practice)
    before = len(notes_server.outbox("notes.note.downloaded"))

    response = _attach(portal, practice.headers(perms=("view_patients",)),
                       practice.patient_id, note["id"])

    assert response.status_code == 403
    assert len(notes_server.outbox("notes.note.downloaded")) == before


def test_a_note_is_never_filed_under_another_patient(portal, notes_server):
    practice = notes_server.new_practice()
    note = notes_server.finalized(practice)

    response = _attach(portal, practice.headers(), "some-other-patient", note["id"])

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "note_of_another_patient"
    assert table_rows(portal, documents) == []


def test_a_note_id_cannot_reach_another_notes_endpoint(portal, notes_server):
    practice = notes_server.new_practice()

    response = _attach(portal, practice.headers(), practice.patient_id,
                       f"../patients/{practice.patient_id}")

    assert response.status_code == 404
    assert table_rows(portal, documents) == []


def test_notes_down_answers_503_and_stores_nothing(database_url, tmp_path, seaweedfs, smtp_url):
    app = _portal(database_url, tmp_path, seaweedfs, smtp_url, f"http://127.0.0.1:{free_port()}")
    try:
        response = _attach(app, bearer("org-1", perms=("share_documents", "view_patients")),
                           "patient-1", "note-1")
        assert response.status_code == 503
        error = response.get_json()["error"]
        assert error["code"] == "notes_unavailable" and "try again" in error["message"]
        assert table_rows(app, documents) == []
        assert outbox_events(app, "docportal.document.uploaded") == []
    finally:
        app.extensions["servicekit.runtime"].close()


def test_a_failing_notes_service_answers_503(database_url, tmp_path, seaweedfs, smtp_url):
    def broken(environ, start_response):
        start_response("500 INTERNAL SERVER ERROR", [("Content-Type", "text/html")])
        return [b"<h1>Internal Server Error</h1>"]

    server = make_server("127.0.0.1", free_port(), broken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app = _portal(database_url, tmp_path, seaweedfs, smtp_url,
                  f"http://127.0.0.1:{server.server_port}")
    try:
        response = _attach(app, bearer("org-1"), "p-1", "n-1")
        assert response.status_code == 503
        assert table_rows(app, documents) == []
    finally:
        app.extensions["servicekit.runtime"].close()
        server.shutdown()
