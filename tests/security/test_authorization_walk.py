"""Every endpoint of notes, docportal and audit, read from the app's own OpenAPI document,
with every kind of caller; zero reads or writes of practice A by another practice.

Callers: anonymous; no_permission (A's staff, no permission at all); member (A's owner, every
permission: the control that each seeded object is real); intruder (another practice's
owner, every permission); recipient, automation and vendor tokens with the claims identity
gives them (a recipient has no practice; the automation profile and vendor support under a
grant are inside practice A). Identity walks its own endpoints
(services/identity/tests/integration/test_authorization_walk.py); here it is only checked
that its table still names every operation its OpenAPI serves.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from io import BytesIO
from pathlib import Path

import pytest
from security_apps import (
    AUTOMATION_PERMS,
    VENDOR_SUPPORT_PERMS,
    Practice,
    finalized_note,
    notes_chart,
    notes_practice,
    outbox_payloads,
    post,
    start_note,
)
from security_tokens import bearer, mint
from walk import (
    CALLERS,
    Row,
    WalkResult,
    assert_clean,
    assert_table_covers,
    events_by,
    expected,
    walk_caller,
)

from servicekit.messaging.envelope import Actor, Subject, new_event

pytestmark = pytest.mark.integration

NOT_YOURS = 404  # another practice's record looks like no record at all
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def staff_route(ok: int, *, no_permission: int = 403, intruder: int = NOT_YOURS,
                **others: int) -> dict[str, int]:
    """A staff route: the other kinds are refused (403), the intruder sees nothing of A."""
    return expected(403, member=ok, no_permission=no_permission, intruder=intruder, **others)


def caller_tokens(a: Practice, b: Practice) -> dict[str, str | None]:
    return {
        "anonymous": None,
        "no_permission": a.token("clerical", perms=()),
        "member": a.token("manager"),
        "intruder": b.token("manager"),
        "recipient": mint(None, None, kind="recipient", perms=(), user_type=None),
        "automation": mint(a.automation_id, a.id, kind="automation", perms=AUTOMATION_PERMS,
                           user_type="Automation"),
        "vendor": mint(None, a.id, kind="vendor", perms=VENDOR_SUPPORT_PERMS, user_type=None),
    }


def practice_secrets(practice: Practice, records: dict[str, str]) -> set[str]:
    return {practice.id, practice.clinic_id, practice.automation_id,
            *practice.users.values(), *records.values()} - {""}


def run_walk(app, table, a: Practice, b: Practice, seed) -> WalkResult:
    client = app.test_client()
    assert_table_covers(client, table)
    tokens = caller_tokens(a, b)
    result = WalkResult()
    for caller in CALLERS:
        records = seed()  # fresh objects: a caller never meets what another one changed
        secrets = practice_secrets(a, records) | {NAME}
        walk_caller(client, table, caller, bearer(tokens[caller]), records, secrets, result)
    return result


# --- notes ---------------------------------------------------------------------------

NAME = "Quintessa"  # the seeded patients' first name: never in an answer to the intruder

NOTES: dict[tuple[str, str], Row] = {
    ("GET", "/patients"): Row("/patients", staff_route(200, intruder=200), object_route=False),
    ("POST", "/patients/search"): Row("/patients/search", staff_route(200, intruder=200),
                                      {"name": "Lee"}, object_route=False),
    ("GET", "/patients/{patient_id}"): Row("/patients/{patient}", staff_route(200)),
    ("POST", "/patients"): Row("/patients", staff_route(201, intruder=422), {
        "clinic_id": "{clinic}", "first_name": "New", "last_name": "Patient",
        "date_of_birth": "2001-01-01"}),
    ("PATCH", "/patients/{patient_id}"): Row("/patients/{patient}", staff_route(200),
                                             {"phone": "555-0199"}),
    ("GET", "/patients/{patient_id}/notes"): Row("/patients/{patient}/notes", staff_route(200)),
    ("GET", "/patients/{patient_id}/transactions"): Row("/patients/{patient}/transactions",
                                                        staff_route(200)),
    # Payer names are no PHI: any staff member of the practice lists them.
    ("GET", "/insurances"): Row("/insurances",
                                staff_route(200, no_permission=200, intruder=200),
                                object_route=False),
    # Creating a payer writes into the caller's own practice only.
    ("POST", "/insurances"): Row("/insurances", staff_route(201, intruder=201),
                                 {"name": "Walk Payer"}, object_route=False),
    ("PATCH", "/insurances/{insurance_id}"): Row("/insurances/{insurance}", staff_route(200),
                                                 {"name": "Renamed Payer"}),
    ("POST", "/cases"): Row("/cases", staff_route(201), {"patient_id": "{patient}",
                                                        "insurance_id": "{insurance}"}),
    ("GET", "/cases/{case_id}"): Row("/cases/{case}", staff_route(200)),
    ("POST", "/notes"): Row("/notes", staff_route(201), {
        "case_id": "{case}", "kind": "daily_note", "date_of_service": "2026-11-20"}),
    ("GET", "/notes/{note_id}"): Row("/notes/{draft}", staff_route(200)),
    ("GET", "/notes/{note_id}/billing-codes"): Row("/notes/{draft}/billing-codes",
                                                   staff_route(200)),
    ("GET", "/notes/{note_id}/pdf"): Row("/notes/{signed}/pdf", staff_route(200)),
    ("PATCH", "/notes/{note_id}"): Row("/notes/{draft}", staff_route(200),
                                       {"version": 1, "plan": "walk"}),
    # Only the author forwards: the owner may not forward the assistant's draft either.
    ("POST", "/notes/{note_id}/forward"): Row(
        "/notes/{assistant_draft}/forward", staff_route(403),
        {"version": 1, "to_user_id": "{manager}"}),
    ("POST", "/notes/{note_id}/finalize"): Row("/notes/{to_sign}/finalize", staff_route(200),
                                               {"version": 1}),
    ("POST", "/notes/{note_id}/addenda"): Row("/notes/{signed}/addenda", staff_route(201),
                                              {"text": "Addendum from the walk."}),
    ("DELETE", "/transactions/{transaction_id}"): Row("/transactions/{charge}",
                                                      staff_route(200)),
}


def seed_notes(client, a: Practice) -> dict[str, str]:
    chart = notes_chart(client, a, first_name=NAME, last_name=f"Walk-{uuid.uuid4().hex[:6]}")
    signed = finalized_note(client, a, chart["case"])
    [charge] = client.get(f"/patients/{chart['patient']}/transactions",
                          headers=a.headers()).get_json()
    return {
        **chart, "clinic": a.clinic_id, "manager": a.users["manager"],
        "draft": start_note(client, a, chart["case"])["id"],
        "to_sign": start_note(client, a, chart["case"])["id"],
        "assistant_draft": start_note(client, a, chart["case"], author="assistant")["id"],
        "signed": signed["id"], "charge": charge["id"],
    }


def test_notes_walk_every_endpoint_every_caller_and_no_cross_practice_access(notes):
    client = notes.test_client()
    a, b = notes_practice(notes), notes_practice(notes, "Bayside Rehab")

    result = run_walk(notes, NOTES, a, b, lambda: seed_notes(client, a))

    assert_clean(result)
    assert events_by(outbox_payloads(notes), b.users["manager"], a.id) == []
    assert result.calls == len(NOTES) * len(CALLERS)


# --- docportal -----------------------------------------------------------------------

def upload_form(records: dict[str, str]) -> dict:
    return {"data": {"patient_id": records["patient"], "kind": "plan_of_care",
                     "file": (BytesIO(PDF), "plan.pdf")},
            "content_type": "multipart/form-data"}


SHARE = {"document_ids": ["{document}"], "recipient_email": "dr.walk@example.org",
         "purpose": "treatment"}

DOCPORTAL: dict[tuple[str, str], Row] = {
    ("GET", "/documents"): Row("/documents?patient_id={patient}",
                               staff_route(200, intruder=200), object_route=False),
    # docportal knows no patients: an intruder files a document in its own practice only.
    ("POST", "/documents"): Row("/documents", staff_route(201, intruder=201), upload_form,
                                object_route=False),
    ("POST", "/documents/from-note"): Row("/documents/from-note", staff_route(201),
                                          {"patient_id": "{patient}", "note_id": "{note}"}),
    ("GET", "/documents/{document_id}/download"): Row("/documents/{document}/download",
                                                      staff_route(200)),
    ("POST", "/shares"): Row("/shares", staff_route(201), SHARE),
    ("GET", "/shares/{share_id}"): Row("/shares/{share}", staff_route(200)),
    ("POST", "/shares/{share_id}/revoke"): Row("/shares/{share_to_revoke}/revoke",
                                               staff_route(200)),
    ("POST", "/shares/{share_id}/reshare"): Row("/shares/{share_to_reshare}/reshare",
                                                staff_route(201), {}),
}


def seed_docportal(client, notes_client, a: Practice) -> dict[str, str]:
    chart = notes_chart(notes_client, a, first_name=NAME)
    note = finalized_note(notes_client, a, chart["case"])
    records = {"patient": chart["patient"], "note": note["id"]}
    response = client.post("/documents", headers=a.headers(), **upload_form(records))
    assert response.status_code == 201, response.get_json()
    records["document"] = response.get_json()["id"]
    for name in ("share", "share_to_revoke", "share_to_reshare"):
        body = {**SHARE, "document_ids": [records["document"]]}
        records[name] = post(client, "/shares", a.headers(), body)["id"]
    return records


def test_docportal_walk_every_endpoint_every_caller_and_no_cross_practice_access(
        docportal, served_notes):
    client, notes_client = docportal.test_client(), served_notes.app.test_client()
    a = notes_practice(served_notes.app)
    b = notes_practice(served_notes.app, "Bayside Rehab")

    result = run_walk(docportal, DOCPORTAL, a, b,
                      lambda: seed_docportal(client, notes_client, a))

    assert_clean(result)
    assert events_by(outbox_payloads(docportal), b.users["manager"], a.id) == []
    assert events_by(outbox_payloads(served_notes.app), b.users["manager"], a.id) == []


# --- audit ---------------------------------------------------------------------------

AUDIT: dict[tuple[str, str], Row] = {
    ("GET", "/events"): Row("/events", staff_route(200, intruder=200), object_route=False),
    ("GET", "/alerts"): Row("/alerts", staff_route(200, intruder=200), object_route=False),
    ("POST", "/alerts/{alert_id}/acknowledge"): Row("/alerts/{alert}/acknowledge",
                                                    staff_route(200), {"note": "walk"}),
    ("POST", "/alerts/{alert_id}/resolve"): Row("/alerts/{alert}/resolve", staff_route(200),
                                                {"note": "walk"}),
    # Reports of A's ids asked by B are B's reports: empty, with nothing of A in them.
    ("GET", "/reports/access"): Row("/reports/access?user_id={user}",
                                    staff_route(200, intruder=200), object_route=False),
    ("GET", "/reports/patient-access"): Row("/reports/patient-access?patient_id={patient}",
                                            staff_route(200, intruder=200),
                                            object_route=False),
    ("GET", "/reports/disclosures"): Row("/reports/disclosures?patient_id={patient}",
                                         staff_route(200, intruder=200), object_route=False),
    ("GET", "/verify"): Row("/verify", staff_route(200, intruder=200), object_route=False),
    ("GET", "/breach-assessments"): Row("/breach-assessments", staff_route(200, intruder=200),
                                        object_route=False),
    ("POST", "/breach-assessments"): Row(
        "/breach-assessments", staff_route(201, intruder=201),
        {"discovered_on": "2026-11-23", "patient_ids": ["{patient}"]}, object_route=False),
    ("GET", "/breach-assessments/{assessment_id}"): Row("/breach-assessments/{assessment}",
                                                        staff_route(200)),
    ("GET", "/stream"): Row("/stream?after=0&max_seconds=0.2",
                            staff_route(200, intruder=200), object_route=False),
}


def feed_audit(app, *events) -> None:
    from audit.domain.recognition import Vendor
    from audit.service_layer.record import record_event
    from audit.wiring import chain_settings

    runtime = app.extensions["servicekit.runtime"]
    settings = chain_settings(runtime.config)
    vendor = Vendor("Clinic Platform", frozenset({"clinicplatform.example"}))
    for event in events:
        with runtime.uow() as uow:
            record_event(uow, event, settings, vendor)
            uow.commit()


def audit_event(event_type: str, org_id: str, subject: tuple[str, str], data: dict, *,
                actor: Actor | None = None, patient_id: str | None = None):
    return new_event(event_type, subject=Subject(*subject), org_id=org_id, data=data,
                     actor=actor or Actor(id="identity-cli", kind="system"),
                     patient_id=patient_id)


def seed_audit(app, a: Practice) -> dict[str, str]:
    client = app.test_client()
    stranger, patient, share = (str(uuid.uuid4()) for _ in range(3))
    user = a.users["manager"]
    feed_audit(
        app,
        audit_event("identity.user.created", a.id, ("user", stranger), {
            "email": f"eve-{stranger[:6]}@unknown-vendor.example", "kind": "staff",
            "role": "staff", "status": "active", "full_name": "", "user_type": "PT"}),
        audit_event("notes.note.viewed", a.id, ("note", str(uuid.uuid4())),
                    {"patient_state": "OR"}, actor=Actor(id=user, kind="staff"),
                    patient_id=patient),
        audit_event("docportal.share.sent", a.id, ("share", share), {
            "document_ids": [str(uuid.uuid4())], "recipient_email": "dr.walk@example.org",
            "purpose": "treatment"}, actor=Actor(id=user, kind="staff"), patient_id=patient),
    )
    alerts = client.get("/alerts?status=open", headers=a.headers()).get_json()["alerts"]
    [alert] = [x for x in alerts if x["profile_id"] == stranger]
    assessment = post(client, "/breach-assessments", a.headers(),
                      {"discovered_on": "2026-11-23", "patient_ids": [patient]})
    return {"alert": alert["id"], "user": user, "patient": patient, "share": share,
            "stranger": stranger, "assessment": assessment["id"]}


def test_audit_walk_every_endpoint_every_caller_and_no_cross_practice_access(audit):
    a, b = Practice(), Practice()
    owner = a.users["manager"]
    feed_audit(
        audit,
        audit_event("identity.practice.created", a.id, ("practice", a.id), {
            "name": "Harbour Physio", "owner_id": owner}),
        audit_event("identity.user.created", a.id, ("user", owner), {
            "email": "owner@harbourphysio.example", "kind": "staff", "role": "owner",
            "status": "active", "full_name": "Olive Owner", "user_type": "PT"}))

    result = run_walk(audit, AUDIT, a, b, lambda: seed_audit(audit, a))

    assert_clean(result)


# --- identity: its own walk names every operation it serves --------------------------

def test_identity_walk_table_covers_its_openapi(tmp_path):
    from identity.adapters.signing_keys import new_private_key_pem
    from identity.app import create_app
    from identity.spec import SPEC
    from servicekit.migrations import upgrade

    folder = Path(__file__).parents[2] / "services/identity/tests/integration"
    sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location(
        "identity_walk_table", folder / "test_authorization_walk.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    url = f"sqlite:///{tmp_path / 'identity.db'}"
    upgrade(SPEC.migrations_dir, url)
    app = create_app(SPEC.load_config(local_dir=tmp_path, database_url=url, bus_url="memory://",
                                      jwt_private_keys=new_private_key_pem()))
    try:
        assert_table_covers(app.test_client(), {key: None for key in module.WALK})
    finally:
        app.extensions["servicekit.runtime"].close()
