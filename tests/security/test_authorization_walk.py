"""Every endpoint of notes, docportal and audit, read from the app's own OpenAPI document,
with every kind of caller (walk.py lists them): A's owner, the owner lacking each one
permission, another practice's owner, a recipient, vendor staff without a grant, the
automation profile, vendor support under a grant and a service account. Each operation's
expected status per caller comes from its declared rule (walk_tables.py): zero unexpected
allows, zero reads or writes of practice A by another practice, and no patient details to a
caller without view_patients. Identity walks its own endpoints
(services/identity/tests/integration/test_identity_authorization_walk.py); here it is checked that
its table still names every operation its OpenAPI serves.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from datetime import UTC, datetime
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
    patient_answers,
    plan_patient,
    post,
    start_note,
    treatment_plan,
)
from security_tokens import ALL_PERMISSIONS, bearer, mint
from walk import (
    CALLERS,
    LACKING,
    Caller,
    WalkResult,
    assert_clean,
    assert_every_caller_declared,
    assert_table_covers,
    events_by,
    walk_caller,
)
from walk_tables import (
    AUDIT,
    DATE_OF_BIRTH,
    DOCPORTAL,
    NAME,
    NOTES,
    PHI,
    PHONE,
    SHARE,
    SOAP,
    upload_form,
)

from servicekit.messaging.envelope import Actor, Subject, new_event

pytestmark = pytest.mark.integration

SERVICE_SCOPE_PERMS = ("view_audit",)  # identity's service account scope "view_audit"


def caller_perms(a: Practice, b: Practice) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    """Each caller's token (None: anonymous) and the permissions it carries."""
    owner = ALL_PERMISSIONS
    callers: dict[str, tuple[str | None, tuple[str, ...]]] = {
        "anonymous": (None, ()),
        "member": (a.token("manager"), owner),
        "intruder": (b.token("manager"), owner),
        "recipient": (mint(None, None, kind="recipient", perms=(), user_type=None), ()),
        "vendor_no_grant": (mint(None, None, kind="vendor", perms=(), user_type=None), ()),
        "automation": (mint(a.automation_id, a.id, kind="automation", perms=AUTOMATION_PERMS,
                            user_type="Automation"), AUTOMATION_PERMS),
        # HOOK vendor: support staff under an active grant, claims as identity issues them.
        "vendor": (mint(None, a.id, kind="vendor", perms=VENDOR_SUPPORT_PERMS, user_type=None),
                   VENDOR_SUPPORT_PERMS),
        # HOOK service: practice A's service account (client credentials, scope view_audit).
        "service": (mint(None, a.id, kind="service", perms=SERVICE_SCOPE_PERMS,
                         user_type=None, email=None), SERVICE_SCOPE_PERMS),
    }
    for permission, name in zip(ALL_PERMISSIONS, LACKING, strict=True):
        perms = tuple(p for p in owner if p != permission)
        callers[name] = (a.token("manager", perms=perms), perms)
    assert set(callers) == set(CALLERS)
    return callers


def practice_secrets(practice: Practice, records: dict[str, str]) -> set[str]:
    return {practice.id, practice.clinic_id, practice.automation_id,
            *practice.users.values(), *records.values()} - {""}


def run_walk(app, table, a: Practice, b: Practice, seed) -> WalkResult:
    client = app.test_client()
    assert_table_covers(client, table)
    assert_every_caller_declared(table)
    result = WalkResult()
    for name, (token, perms) in caller_perms(a, b).items():
        records = seed()  # fresh objects: a caller never meets what another one changed
        caller = Caller(name, bearer(token), views_patients="view_patients" in perms)
        walk_caller(client, table, caller, records, practice_secrets(a, records) | {NAME},
                    set(PHI), result)
    assert result.calls == len(table) * len(CALLERS)
    return result


# --- notes ---------------------------------------------------------------------------

def seed_notes(client, a: Practice) -> dict[str, str]:
    chart = notes_chart(client, a, first_name=NAME, last_name=f"Walk-{uuid.uuid4().hex[:6]}",
                        date_of_birth=DATE_OF_BIRTH, phone=PHONE)
    signed = finalized_note(client, a, chart["case"], subjective=SOAP)
    [charge] = client.get(f"/patients/{chart['patient']}/transactions",
                          headers=a.headers()).get_json()
    forwarded = start_note(client, a, chart["case"], subjective=SOAP)
    post(client, f"/notes/{forwarded['id']}/forward", a.headers(),
         {"version": 1, "to_user_id": a.users["therapist"]}, status=200)
    awaiting = start_note(client, a, chart["case"], author="assistant", subjective=SOAP)
    post(client, f"/notes/{awaiting['id']}/forward", a.headers("assistant"),
         {"version": 1, "to_user_id": a.users["manager"]}, status=200)
    return {
        **chart, **seed_treatment_plans(client, a),
        "clinic": a.clinic_id, "manager": a.users["manager"],
        "therapist": a.users["therapist"],
        "draft": start_note(client, a, chart["case"], subjective=SOAP)["id"],
        "to_sign": start_note(client, a, chart["case"], subjective=SOAP)["id"],
        "to_forward": start_note(client, a, chart["case"], subjective=SOAP)["id"],
        "to_discard": start_note(client, a, chart["case"], subjective=SOAP)["id"],
        "forwarded": forwarded["id"], "signed": signed["id"], "charge": charge["id"],
    }


def seed_treatment_plans(client, a: Practice) -> dict[str, str]:
    patient = plan_patient(client, a, NAME)
    requested = treatment_plan(client, a, patient, send=True)
    patient_answers(client.application, "payment_plan")
    return {"plan_patient": patient, "plan_draft": treatment_plan(client, a, patient),
            "plan_to_send": treatment_plan(client, a, patient),
            "plan_to_withdraw": treatment_plan(client, a, patient, send=True),
            "plan_requested": requested}


def test_notes_walk_every_endpoint_every_caller_and_no_cross_practice_access(notes):
    client = notes.test_client()
    a, b = notes_practice(notes), notes_practice(notes, "Bayside Rehab")

    result = run_walk(notes, NOTES, a, b, lambda: seed_notes(client, a))

    assert_clean(result)
    assert events_by(outbox_payloads(notes), b.users["manager"], a.id) == []


# --- docportal -----------------------------------------------------------------------

def seed_docportal(client, notes_client, a: Practice) -> dict[str, str]:
    chart = notes_chart(notes_client, a, first_name=NAME, date_of_birth=DATE_OF_BIRTH,
                        phone=PHONE)
    note = finalized_note(notes_client, a, chart["case"], subjective=SOAP)
    records = {"patient": chart["patient"], "note": note["id"],
               "new_recipient": f"dr.walk+{uuid.uuid4().hex[:8]}@example.org"}
    response = client.post("/documents", headers=a.headers(), **upload_form(records))
    assert response.status_code == 201, response.get_json()
    records["document"] = response.get_json()["id"]
    response = client.post("/documents", headers=a.headers(), **upload_form(records))
    records["document_to_withdraw"] = response.get_json()["id"]
    seeded = f"dr.seed+{uuid.uuid4().hex[:8]}@example.org"
    for name in ("share", "share_to_revoke", "share_to_reshare"):
        body = {**SHARE, "document_ids": [records["document"]], "recipient_email": seeded}
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

def feed_audit(app, *events) -> None:
    from audit.bootstrap import chain_settings
    from audit.domain.recognition import Vendor
    from audit.service_layer.record import record_event

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
            "stranger": stranger, "assessment": assessment["id"],
            "delivery": dead_delivery(app, a.id, alert["id"])}


def dead_delivery(app, org_id: str, alert_id: str) -> str:
    """A webhook call of the alert that failed for good (a dead letter to retry)."""
    from audit.adapters.tables import alert_deliveries

    now = datetime.now(UTC)
    # A long id: the walk looks for each seeded value in answers, and "3" is in every date.
    delivery_id = uuid.uuid4().int % 10**15 + 10**15
    with app.extensions["servicekit.runtime"].uow() as uow:
        uow.session.execute(alert_deliveries.insert().values(
            id=delivery_id, org_id=org_id, alert_id=alert_id, event_id=str(uuid.uuid4()),
            event_type="audit.alert.raised", channel="webhook", body="{}", created_at=now,
            attempts=8, dead_at=now, last_error="HTTP 500"))
        uow.commit()
    return str(delivery_id)


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
        "identity_walk_table", folder / "test_identity_authorization_walk.py")
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
