"""A patient's details go nowhere but the records: not in event payloads, URLs, mail or logs.

A notes flow (register, chart a note, finalize, PDF) and a docportal flow (upload, attach the
note's PDF, share, track, reshare, revoke) run in-process with planted values; then every
outbox row of both services, every URL and Location the flows used, the share mail and the
log records are scanned for them.
"""

from __future__ import annotations

import io
import json
import logging
import re
import uuid

import pytest
from security_apps import (
    finalized_note,
    notes_chart,
    notes_practice,
    outbox_payloads,
    post,
)

pytestmark = pytest.mark.integration

FIRST, LAST = "Zephyrine", "Quackenbush"
DATE_OF_BIRTH = "1957-08-19"
PHONE = "503-555-0187"
NOTE_TEXT = "Left rotator cuff tear after kayaking at Lake Wobegon"
MESSAGE = f"Records for {FIRST} {LAST}, born {DATE_OF_BIRTH}"
PLANTED = [FIRST, LAST, DATE_OF_BIRTH, "08/19/1957", "19570819", PHONE, "5035550187",
           NOTE_TEXT, "rotator cuff", "Wobegon", MESSAGE]


def found_in(text: str) -> list[str]:
    lowered = text.lower()
    return [value for value in PLANTED if value.lower() in lowered]


class Recorder:
    """Every URL requested and every Location answered, through one test client."""

    def __init__(self, client) -> None:
        self.client, self.urls = client, []

    def open(self, url: str, **options):
        response = self.client.open(url, **options)
        self.urls += [url, response.headers.get("Location", "")]
        return response


def test_patient_details_never_reach_events_urls_mail_or_logs(
        docportal, served_notes, mail_sink, caplog):
    caplog.set_level(logging.DEBUG)
    recipient = f"dr.phi-{uuid.uuid4().hex[:8]}@example.org"
    notes_app = served_notes.app
    notes = Recorder(notes_app.test_client())
    portal = Recorder(docportal.test_client())
    practice = notes_practice(notes_app)
    staff = practice.headers()

    chart = notes_chart(notes.client, practice, first_name=FIRST, last_name=LAST,
                        date_of_birth=DATE_OF_BIRTH, phone=PHONE)
    note = finalized_note(notes.client, practice, chart["case"], subjective=NOTE_TEXT,
                          assessment=NOTE_TEXT)
    for url in (f"/patients/{chart['patient']}", "/patients",
                f"/notes/{note['id']}", f"/patients/{chart['patient']}/notes"):
        assert notes.open(url, headers=staff).status_code == 200
    pdf = notes.open(f"/notes/{note['id']}/pdf", headers=staff)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    uploaded = portal.open("/documents", method="POST", headers=staff,
                           content_type="multipart/form-data", data={
                               "patient_id": chart["patient"], "kind": "plan_of_care",
                               "file": (io.BytesIO(b"%PDF-1.7\n%%EOF\n"),
                                        f"{FIRST} {LAST} {DATE_OF_BIRTH}.pdf")})
    assert uploaded.status_code == 201, uploaded.get_json()
    attached = portal.open("/documents/from-note", method="POST", headers=staff,
                           json={"patient_id": chart["patient"], "note_id": note["id"]})
    assert attached.status_code == 201, attached.get_json()
    documents = [uploaded.get_json()["id"], attached.get_json()["id"]]
    share = post(portal.client, "/shares", staff, {
        "document_ids": documents, "recipient_email": recipient, "purpose": "treatment",
        "message": MESSAGE})
    for url, method in ((f"/shares/{share['id']}", "GET"),
                        (f"/documents?patient_id={chart['patient']}", "GET"),
                        (f"/documents/{documents[0]}/download", "GET"),
                        (f"/shares/{share['id']}/reshare", "POST")):
        response = portal.open(url, method=method, headers=staff,
                               json={} if method == "POST" else None)
        assert response.status_code in (200, 201), (url, response.get_json())
    resent = response.get_json()
    assert portal.open(f"/shares/{resent['id']}/revoke", method="POST",
                       headers=staff).status_code == 200

    events = outbox_payloads(notes_app) + outbox_payloads(docportal)
    assert {e["type"] for e in events} >= {
        "notes.patient.created", "notes.note.finalized", "notes.note.downloaded",
        "docportal.document.uploaded", "docportal.share.sent", "docportal.share.revoked"}
    leaked = {e["type"]: found_in(json.dumps(e)) for e in events if found_in(json.dumps(e))}
    assert leaked == {}
    assert found_in(" ".join(notes.urls + portal.urls)) == []
    mails = mail_sink.to(recipient)
    assert len(mails) == 2
    for mail in mails:
        links = re.findall(r"https?://\S+", mail.get_content())
        assert links and found_in(" ".join(links)) == []
        assert found_in(mail["Subject"]) == []
    assert caplog.records  # the access log and the services' own lines were captured
    assert found_in("\n".join(record.getMessage() for record in caplog.records)) == []
