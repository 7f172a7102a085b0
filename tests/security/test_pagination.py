"""One cursor pagination on every list (README, "API conventions"; decisions 19): every list
operation of every service of the local stack's topology, found in its OpenAPI document,
takes ``limit`` and ``cursor`` and is walked here one row a page by its Link header to its
end, seeing every row (the seeded ones among them) exactly once; a cursor the list never gave
is refused with 400.
"""

from __future__ import annotations

import re
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import security_apps
from security_apps import notes_chart, notes_practice, post, treatment_plan
from security_tokens import bearer, mint

from servicekit.totp_wallet import sign_in_through

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "deploy" / "local"))
from topology import SERVICES  # noqa: E402

pytestmark = pytest.mark.integration

LINK_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


@dataclass
class Seeded:
    """Who walks the lists, the values of their path parameters, and the rows seeded."""

    headers: dict[str, str]
    path_values: dict[str, str] = field(default_factory=dict)
    rows: dict[str, set[str]] = field(default_factory=dict)  # list path -> seeded row ids
    headers_for: dict[str, dict[str, str]] = field(default_factory=dict)


def seed_notes(app) -> Seeded:
    client, practice = app.test_client(), notes_practice(app)
    manager = practice.headers()
    charts = [notes_chart(client, practice, first_name=f"Pat{n}") for n in range(3)]
    patient = charts[0]["patient"]
    notes = [post(client, "/notes", manager, {"case_id": charts[0]["case"],
                                             "kind": "daily_note",
                                             "date_of_service": f"2026-11-2{n}"})["id"]
             for n in range(3)]
    plans = [treatment_plan(client, practice, patient) for _ in range(3)]
    return Seeded(manager, {"patient_id": patient}, {
        "/patients": {c["patient"] for c in charts},
        "/insurances": {c["insurance"] for c in charts},
        "/patients/{patient_id}/notes": set(notes),
        "/treatment-plans": set(plans),
        "/patients/{patient_id}/treatment-plans": set(plans),
    })


def seed_identity(app) -> Seeded:
    security_apps.identity_practice(app)
    client = app.test_client()
    signed_in = sign_in_through(client, {"email": "owner@harbourphysio.example",
                                         "password": security_apps.PASSWORD})
    owner = bearer(signed_in.get_json()["access_token"])
    clinics = {post(client, "/clinics", owner, {"name": f"Clinic {n}"})["id"] for n in range(3)}
    records = {post(client, "/practitioners", owner, {"name": f"Dr Walk {n}"})["id"]
               for n in range(3)}
    return Seeded(owner, rows={"/clinics": clinics, "/practitioners": records})


def seed_docportal(app) -> Seeded:
    from test_upload_attacks import upload

    org = str(uuid.uuid4())
    client = app.test_client()
    documents = set()
    for n in range(3):
        answer = upload(client, org, b"%PDF-1.4 walk " + str(n).encode(), f"walk-{n}.pdf")
        assert answer.status_code == 201, answer.get_json()
        documents.add(answer.get_json()["id"])
    sharer = bearer(mint(None, org, perms=("share_documents", "view_patients")))
    shares = {post(client, "/shares", sharer, {
        "document_ids": [document], "purpose": "treatment",
        "recipient_email": f"dr{n}@example.org"})["id"] for n, document in enumerate(documents)}
    return Seeded(sharer, rows={"/documents": documents, "/shares": shares},
                  headers_for={"/documents": sharer}, path_values={"patient_id": "p-1"})


def seed_audit(app) -> Seeded:
    from test_authorization_walk import audit_event, dead_delivery, feed_audit

    org, owner = str(uuid.uuid4()), str(uuid.uuid4())
    reader = bearer(mint(owner, org, perms=("view_audit",)))
    strangers = [str(uuid.uuid4()) for _ in range(3)]
    events = [audit_event("identity.practice.created", org, ("practice", org), {
                  "name": "Harbour Physio", "owner_id": owner}),
              audit_event("identity.user.created", org, ("user", owner), {
                  "email": "owner@harbourphysio.example", "kind": "staff", "role": "owner",
                  "status": "active", "full_name": "Olive Owner", "user_type": "PT"}),
              *(audit_event("identity.user.created", org, ("user", user), {
                  "email": f"eve-{user[:6]}@unknown-vendor.example", "kind": "staff",
                  "role": "staff", "status": "active", "full_name": "", "user_type": "PT"})
                for user in strangers)]
    feed_audit(app, *events)
    client = app.test_client()
    alerts = {alert["id"] for alert in client.get("/alerts", headers=reader).get_json()[
        "alerts"] if alert["profile_id"] in strangers}
    assert len(alerts) == 3, alerts
    assessments = {post(client, "/breach-assessments", reader, {
        "discovered_on": "2026-11-23", "patient_ids": [f"p-{n}"]})["id"] for n in range(3)}
    deliveries = {int(dead_delivery(app, org, alert)) for alert in alerts}
    return Seeded(reader, rows={"/alerts": alerts, "/breach-assessments": assessments,
                                "/events": {event.id for event in events},
                                "/alert-deliveries": deliveries})


SEEDERS = {"notes": seed_notes, "identity": seed_identity, "docportal": seed_docportal,
           "audit": seed_audit}
BUILDERS = {
    "identity": lambda url, folder, _: security_apps.identity_app(url, folder),
    "notes": lambda url, folder, _: security_apps.notes_app(url, folder),
    "audit": lambda url, folder, _: security_apps.audit_app(url, folder),
    "docportal": lambda url, folder, request: security_apps.docportal_app(
        url, folder, request.getfixturevalue("seaweedfs"),
        request.getfixturevalue("mail_sink").url),
}
# Query values a list needs to answer at all (a patient's documents).
REQUIRED_QUERY = {("docportal", "/documents"): "patient_id=p-1"}


@pytest.fixture(params=[s.name for s in SERVICES])
def service(request, tmp_path):
    folder = tmp_path / request.param
    app = BUILDERS[request.param](f"sqlite:///{tmp_path / 'service.db'}", folder, request)
    yield app
    security_apps.close(app)


def list_operations(document) -> list[tuple[str, dict]]:
    """(path, operation) of every GET answering a list: a JSON array, or an object that
    holds a page (``next_cursor``, or ``items`` and ``page``)."""
    schemas = document["components"]["schemas"]
    found = []
    for path, item in document["paths"].items():
        operation = item.get("get")
        answer = (operation or {}).get("responses", {}).get("200", {})
        schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
        if "$ref" in schema:
            properties = schemas[schema["$ref"].rsplit("/", 1)[-1]].get("properties", {})
            if "next_cursor" not in properties and not {"items", "page"} <= set(properties):
                continue
        elif schema.get("type") != "array":
            continue
        found.append((path, operation))
    return found


def query_parameters(operation) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}


def row_id(row: dict) -> str:
    if "event" in row and "seq" in row:  # audit's record: the stored event's own id
        return row["event"]["id"]
    return next(row[name] for name in ("id", "code", "export_id") if name in row)


def rows_of(answer) -> list[dict]:
    body = answer.get_json()
    if isinstance(body, list):
        return body
    return next(value for name, value in body.items() if isinstance(value, list))


def walk(client, url: str, headers: dict[str, str]) -> list[str]:
    """The row ids of every page, one row a page, following Link rel="next" to the end."""
    seen: list[str] = []
    next_url: str | None = url + ("&" if "?" in url else "?") + "limit=1"
    while next_url:
        answer = client.get(next_url, headers=headers)
        assert answer.status_code == 200, (next_url, answer.get_json())
        seen += [row_id(row) for row in rows_of(answer)]
        link = LINK_NEXT.search(answer.headers.get("Link", ""))
        next_url = link.group(1) if link else None
        assert len(seen) < 1000, url
    return seen


def list_url(service_name: str, path: str, seeded: Seeded) -> str:
    url = re.sub(r"\{(\w+)\}", lambda m: seeded.path_values[m.group(1)], path)
    query = REQUIRED_QUERY.get((service_name, path))
    return f"{url}?{query}" if query else url


def test_every_list_of_every_service_takes_limit_and_a_cursor(service):
    document = service.test_client().get("/openapi.json").get_json()
    unpaged = [path for path, operation in list_operations(document)
               if not {"limit", "cursor"} <= query_parameters(operation)
               or "400" not in operation["responses"]]
    assert list_operations(document)
    assert unpaged == []


def test_every_list_walks_by_its_link_header_seeing_each_row_once(service):
    seeded = SEEDERS[service.name](service)
    client = service.test_client()
    document = client.get("/openapi.json").get_json()
    for path, _ in list_operations(document):
        if path.startswith("/vendor/"):
            continue  # vendor staff's own lists: walked in identity's vendor tests
        url = list_url(service.name, path, seeded)
        headers = seeded.headers_for.get(path, seeded.headers)
        seen = walk(client, url, headers)
        whole = client.get(url, headers=headers)
        assert len(seen) == len(set(seen)), path
        assert seen == [row_id(row) for row in rows_of(whole)], path
        assert seeded.rows.get(path, set()) <= set(seen), path
    assert set(seeded.rows) <= {path for path, _ in list_operations(document)}


def test_a_cursor_the_list_never_gave_is_refused_with_400(service):
    seeded = SEEDERS[service.name](service)
    client = service.test_client()
    path = sorted(seeded.rows)[0]
    url, headers = list_url(service.name, path, seeded), seeded.headers_for.get(
        path, seeded.headers)
    first = client.get(url + ("&" if "?" in url else "?") + "limit=1", headers=headers)
    cursor = LINK_NEXT.search(first.headers["Link"]).group(1).split("cursor=")[1]
    forged = cursor[:-4] + ("AAAA" if not cursor.endswith("AAAA") else "BBBB")
    other = sorted(p for p in seeded.rows if p != path and "{" not in p)[0]
    for bad_url in (f"{url}{'&' if '?' in url else '?'}cursor=not-a-cursor",
                    f"{url}{'&' if '?' in url else '?'}cursor={forged}",
                    f"{other}?cursor={cursor}"):
        answer = client.get(bad_url, headers=seeded.headers_for.get(other, headers))
        assert answer.status_code == 400, (bad_url, answer.get_json())
        assert answer.get_json()["error"]["code"] == "invalid_cursor"


def test_the_next_page_is_addressed_as_the_gateway_serves_the_list(tmp_path):
    app = security_apps.notes_app(f"sqlite:///{tmp_path / 'notes.db'}", tmp_path / "notes")
    try:
        seeded = seed_notes(app)
        answer = app.test_client().get("/insurances?limit=1", headers={
            **seeded.headers, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "clinic.example",
            "X-Forwarded-Prefix": "/api/notes"})
        link = LINK_NEXT.search(answer.headers["Link"]).group(1)
        assert link.startswith("https://clinic.example/api/notes/insurances?limit=1&cursor=")
    finally:
        security_apps.close(app)
