"""The four services' apps in-process, trusting the security tests' key, and their records.

Notes learns its practices and users from identity events fed by hand (as its consumer
would); its records are then made through its own API, so every id the walk uses is real.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field, fields, replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import Flask
from security_tokens import ALL_PERMISSIONS, bearer, mint, verifier
from sqlalchemy import select
from werkzeug.serving import make_server

from servicekit.messaging.envelope import Actor, Subject, new_event
from servicekit.messaging.routing import deliver
from servicekit.migrations import upgrade
from servicekit_testing.servers import free_port

MAX_UPLOAD_BYTES = 50_000
AUTOMATION_PERMS = ("view_patients", "edit_patients")  # identity's Automation user type
VENDOR_SUPPORT_PERMS = ("view_patients",)  # identity's vendor support grant


def notes_app(database_url: str, local_dir: Path) -> Flask:
    from notes.app import create_app
    from notes.spec import SPEC

    upgrade(SPEC.migrations_dir, database_url)
    config = SPEC.load_config(local_dir=local_dir, database_url=database_url, bus_url="memory://")
    app = create_app(config, verifier=verifier())
    app.config["TESTING"] = True
    # Treatment plan mails are kept here, not sent: app.extensions[PLAN_MAILS].sent
    app.extensions[PLAN_MAILS] = mails = RecordedPlanMails()
    notes = app.extensions["notes"]
    # Note PDFs are kept in memory here: these tests are about who may read them, not where.
    app.extensions["notes"] = replace(notes, plan_mailer=mails, note_pdfs=replace(
        notes.note_pdfs, store=KeptPdfs()))
    return app


class KeptPdfs:
    """notes' PDF store, in memory."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def key(self, org_id: str, note_id: str, version: int) -> str:
        return f"{org_id}/{note_id}/v{version}.pdf"

    def put(self, key: str, content: bytes) -> None:
        self.objects[key] = content

    def get(self, key: str) -> bytes:
        return self.objects[key]


PLAN_MAILS = "security.plan_mails"


@dataclass
class RecordedPlanMails:
    """notes' treatment plan mailer, keeping each mail (its link holds the patient's token)."""

    sent: list[Any] = field(default_factory=list)

    def plan_link_message(self, mail: Any) -> EmailMessage:
        """The mail the outbox would queue; the plan (and its link) is kept here as sent."""
        self.sent.append(mail)
        message = EmailMessage()
        message["To"], message["Subject"] = mail.to, "your treatment plan"
        message.set_content("a treatment plan link (kept by the test, not mailed)")
        return message

    def send(self, message: EmailMessage) -> None:
        """The outbox hands the message back to send: nothing leaves the test."""


def docportal_app(database_url: str, local_dir: Path, s3, smtp_url: str,
                  notes_url: str = "http://127.0.0.1:9") -> Flask:
    from docportal.app import create_app
    from docportal.config import DocportalConfig
    from docportal.spec import SPEC

    upgrade(SPEC.migrations_dir, database_url)
    # The walks share documents as every caller in turn: the per-sender and per-recipient
    # share limits are a rule of their own (docportal's tests), not the walk's subject.
    limits = {name: 10_000 for name in ("share_mails_per_sender", "share_mails_per_recipient")
              if name in {f.name for f in fields(DocportalConfig)}}
    config = SPEC.load_config(
        local_dir=local_dir, database_url=database_url, bus_url="memory://",
        s3_endpoint_url=s3.endpoint_url, s3_bucket=s3.bucket, s3_access_key=s3.access_key,
        s3_secret_key=s3.secret_key, smtp_url=smtp_url, max_upload_bytes=MAX_UPLOAD_BYTES,
        portal_base_url="https://clinic.example/portal", notes_url=notes_url, **limits)
    app = create_app(config, verifier=verifier())
    app.config["TESTING"] = True
    return app


def audit_app(database_url: str, local_dir: Path) -> Flask:
    from audit.app import create_app
    from audit.spec import SPEC

    upgrade(SPEC.migrations_dir, database_url)
    config = SPEC.load_config(database_url=database_url, local_dir=local_dir,
                              checkpoint_every=5, chain_partitions=4)
    app = create_app(config, verifier=verifier())
    app.config["TESTING"] = True
    return app


def close(app: Flask) -> None:
    app.extensions["servicekit.runtime"].close()


def outbox_payloads(app: Flask) -> list[dict[str, Any]]:
    """Every event the app committed to its outbox, oldest first."""
    runtime = app.extensions["servicekit.runtime"]
    outbox = runtime.messaging.outbox
    with runtime.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.payload).order_by(outbox.c.id)).scalars().all()
    return [json.loads(row) for row in rows]


class Served:
    """An app answering HTTP on a free port in a thread (for docportal calling notes)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", free_port(), app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


# --- notes: a practice and its records ----------------------------------------------

STAFF = {  # name -> (user type, permissions in identity's projection)
    "manager": ("PT", ALL_PERMISSIONS),
    # A second therapist: notes are forwarded to them for co-signature.
    "therapist": ("PT", ("view_patients", "edit_patients", "start_notes", "forward_notes",
                         "finish_notes", "delete_transactions")),
    "assistant": ("PTA", ("view_patients", "edit_patients", "start_notes", "forward_notes",
                          "finish_notes")),
    "clerical": ("Front Office", ("view_patients", "edit_patients")),
}


@dataclass
class Practice:
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    clinic_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    automation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    users: dict[str, str] = field(default_factory=lambda: {n: str(uuid.uuid4()) for n in STAFF})

    def token(self, name: str = "manager", **options: Any) -> str:
        return mint(self.users[name], self.id, user_type=STAFF[name][0], **options)

    def headers(self, name: str = "manager", **options: Any) -> dict[str, str]:
        return bearer(self.token(name, **options))


def feed_identity(app: Flask, event_type: str, subject: tuple[str, str], org_id: str,
                  data: dict) -> None:
    """Hand identity's event to every notes subscription it routes to, as the consumers would
    (the projection of users and clinics, and the token state)."""
    from notes.spec import SPEC

    event = new_event(event_type, subject=Subject(*subject), org_id=org_id, data=data,
                      actor=Actor(id="identity-cli", kind="system"))
    with app.extensions["servicekit.runtime"].uow() as uow:
        deliver(SPEC.subscriptions, uow, event)
        uow.commit()


def notes_practice(app: Flask, name: str = "Harbour Physio") -> Practice:
    """A practice as notes knows it: its clinic, automation profile and three staff."""
    practice = Practice()
    feed_identity(app, "identity.practice.created", ("practice", practice.id), practice.id, {
        "name": name, "clinics": [{"id": practice.clinic_id, "name": name,
                                   "assistants_may_finalize": True}],
        "automation_profile": {"id": practice.automation_id, "email": "robot@vendor.example",
                               "full_name": "Clinic Platform Automation",
                               "kind": "automation", "user_type": "Automation"}})
    for person, (user_type, permissions) in STAFF.items():
        feed_identity(app, "identity.user.created", ("user", practice.users[person]),
                      practice.id, {
                          "email": f"{person}@{practice.id[:8]}.example",
                          "full_name": f"{person.title()} Person", "user_type": user_type,
                          "kind": "staff", "status": "active", "permissions": list(permissions),
                          "clinics": [practice.clinic_id], "permission_version": 1,
                          "supervising_therapist_id": practice.users["manager"]
                          if person == "assistant" else None})
    return practice


def post(client, url: str, headers: dict[str, str], body: dict, status: int = 201) -> dict:
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == status, (url, response.get_json())
    return response.get_json()


def notes_chart(client, practice: Practice, *, first_name: str = "Pat",
                last_name: str = "Lee", date_of_birth: str = "1980-02-03",
                phone: str = "555-0100") -> dict[str, str]:
    """A patient with a case under an insurance that lets assistants finalize."""
    manager = practice.headers()
    insurance = post(client, "/insurances", manager, {
        "name": f"Payer {uuid.uuid4().hex[:6]}", "allow_assistants_to_finalize": True})
    patient = post(client, "/patients", manager, {
        "clinic_id": practice.clinic_id, "first_name": first_name, "last_name": last_name,
        "date_of_birth": date_of_birth, "phone": phone})
    case = post(client, "/cases", manager, {"patient_id": patient["id"],
                                            "insurance_id": insurance["id"]})
    return {"patient": patient["id"], "case": case["id"], "insurance": insurance["id"]}


def start_note(client, practice: Practice, case_id: str, author: str = "manager",
               **soap: str) -> dict:
    return post(client, "/notes", practice.headers(author), {
        "case_id": case_id, "kind": "daily_note", "date_of_service": "2026-11-20", **soap})


def finalized_note(client, practice: Practice, case_id: str, **soap: str) -> dict:
    note = start_note(client, practice, case_id, **soap)
    manager = practice.headers()
    revised = client.patch(f"/notes/{note['id']}", headers=manager, json={
        "version": note["version"], "billing_sheet": [{"code": "97110"}]})
    assert revised.status_code == 200, revised.get_json()
    return post(client, f"/notes/{note['id']}/finalize", manager,
                {"version": revised.get_json()["version"]}, status=200)


# --- identity: its own keys, a practice with its owner --------------------------------

PASSWORD = "correct horse battery staple"


def identity_app(database_url: str, local_dir: Path) -> Flask:
    from identity.adapters.signing_keys import new_private_key_pem
    from identity.app import create_app
    from identity.spec import SPEC

    upgrade(SPEC.migrations_dir, database_url)
    app = create_app(SPEC.load_config(
        local_dir=local_dir, database_url=database_url, bus_url="memory://",
        jwt_private_keys=new_private_key_pem()))
    app.config["TESTING"] = True
    return app


def identity_practice(app: Flask, owner_email: str = "owner@harbourphysio.example"):
    """A practice in identity with its owner (password PASSWORD); returns the created ids."""
    from identity.service_layer.practices import create_practice

    ident = app.extensions["identity"]
    return create_practice(ident.uow(), name="Harbour Physio", owner_email=owner_email,
                           owner_password=PASSWORD, catalog=ident.catalog,
                           hashing=ident.hashing)


# --- notes: treatment plans ------------------------------------------------------------

PLAN_ITEMS = [{"code": "D2740", "description": "Crown, porcelain", "price_cents": 120050}]


def plan_patient(client, practice: Practice, first_name: str) -> str:
    """A patient with an email address, so that plans can be mailed to them."""
    return post(client, "/patients", practice.headers(), {
        "clinic_id": practice.clinic_id, "first_name": first_name, "last_name": "Planned",
        "date_of_birth": "1980-02-03",
        "email": f"patient-{uuid.uuid4().hex[:8]}@example.org"})["id"]


def treatment_plan(client, practice: Practice, patient_id: str, *, send: bool = False) -> str:
    plan = post(client, "/treatment-plans", practice.headers(),
                {"patient_id": patient_id, "items": PLAN_ITEMS})["id"]
    if send:
        post(client, f"/treatment-plans/{plan}/send", practice.headers(), {}, status=200)
    return plan


def patient_answers(app: Flask, choice: str) -> None:
    """The patient of the newest plan mail answers on their page (proceed, payment_plan)."""
    from datetime import UTC, datetime

    from notes.domain.treatment_plans import PatientChoice
    from notes.service_layer.plan_pages import choose

    token = app.extensions[PLAN_MAILS].sent[-1].link.rsplit("/", 1)[1]
    choose(app.extensions["notes"].uow(), token, PatientChoice(choice), datetime.now(UTC))
