"""NUL characters in a query string, a JSON string field or a path parameter never give a
500 on PostgreSQL (which cannot store U+0000 in text): every service refuses them with 400."""

from __future__ import annotations

import re

import pytest
import security_apps
from security_apps import notes_practice
from security_tokens import bearer, mint

pytestmark = pytest.mark.integration

NUL = "\u0000"


@pytest.fixture
def pg_apps(pg_only_url, make_database, tmp_path, seaweedfs, mail_sink):
    apps = {
        "identity": security_apps.identity_app(pg_only_url, tmp_path / "identity"),
        "notes": security_apps.notes_app(make_database(), tmp_path / "notes"),
        "docportal": security_apps.docportal_app(make_database(), tmp_path / "docportal",
                                                 seaweedfs, mail_sink.url),
        "audit": security_apps.audit_app(make_database(), tmp_path / "audit"),
    }
    yield apps
    for app in apps.values():
        security_apps.close(app)


def probes(apps) -> list[tuple[str, str, str, dict | None, dict[str, str]]]:
    """(service, method, url, json body, headers): one probe per place a NUL can hide."""
    practice = notes_practice(apps["notes"])
    staff = practice.headers()
    share = bearer(mint(None, practice.id, perms=("share_documents", "view_patients")))
    audit = bearer(mint(None, practice.id, perms=("view_audit",)))
    return [
        ("identity", "POST", "/login", {"email": f"owner{NUL}@x.example", "password": "x"}, {}),
        ("identity", "POST", "/password/forgot", {"email": f"a{NUL}@x.example"}, {}),
        ("identity", "GET", "/user-types?q=%00", None, {}),
        ("identity", "GET", "/users/abc%00def", None, {}),
        ("notes", "GET", "/patients?name=Pat%00Lee", None, staff),
        ("notes", "POST", "/patients", {"clinic_id": practice.clinic_id,
                                        "first_name": f"Pat{NUL}", "last_name": "Lee",
                                        "date_of_birth": "1980-02-03"}, staff),
        ("notes", "GET", "/patients/abc%00def", None, staff),
        ("notes", "GET", "/notes/abc%00def", None, staff),
        ("docportal", "GET", "/documents?patient_id=p%001", None, share),
        ("docportal", "POST", "/shares", {"document_ids": [f"d{NUL}"], "purpose": "treatment",
                                          "recipient_email": "dr@example.org"}, share),
        ("docportal", "GET", "/shares/abc%00def", None, share),
        ("docportal", "GET", "/portal/s/abc%00def", None, {}),
        ("audit", "GET", "/events?type=notes%00", None, audit),
        ("audit", "POST", "/breach-assessments", {"discovered_on": "2026-11-23",
                                                  "patient_ids": [f"p{NUL}1"]}, audit),
        ("audit", "GET", "/breach-assessments/abc%00def", None, audit),
        ("audit", "GET", "/reports/access?user_id=u%001", None, audit),
    ]


def error_code(response) -> str | None:
    """The JSON error's code, or the code an HTML page of the portal carries."""
    if response.mimetype == "text/html":
        found = re.search(r'data-code="([a-z_]+)"', response.get_data(as_text=True))
        return found.group(1) if found else None
    error = (response.get_json(silent=True) or {}).get("error")
    if not isinstance(error, dict) or set(error) != {"code", "message", "details"}:
        return None
    return error["code"]


def test_nul_characters_are_refused_with_400_by_every_service_on_postgresql(pg_apps):
    answers = []
    for service, method, url, body, headers in probes(pg_apps):
        response = pg_apps[service].test_client().open(url, method=method, json=body,
                                                       headers=headers)
        answers.append((service, method, url, response.status_code, error_code(response)))
    assert [a for a in answers if a[3] >= 500] == []
    assert [a for a in answers if a[3] != 400 or a[4] != "nul_character"] == []
