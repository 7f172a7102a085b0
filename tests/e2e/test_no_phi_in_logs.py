"""No patient details and no secrets in any log or event of a full run through the gateway.

Distinctive PHI (a patient's name, date of birth, phone, address, note text) and secrets
(passwords, access and refresh tokens, a share link's token) go through the main flow: sign
in, refresh, add a patient, search for them, write and finalize a note, file its PDF, share
it, open the link. Then every log the local stack wrote (stack.log, which holds every
process's output, and any other log file under LOCAL_DIR) and every event payload (the
outboxes and audit's record) are searched for them.
"""

from __future__ import annotations

import json
import re
import time

import pytest
import requests
from e2e_stack import GATEWAY, PASSWORD, Api, add_staff, new_practice, past_rate_limit
from sqlalchemy import text as sql

from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.e2e

PATIENT = {"first_name": "Zebulon", "last_name": "Quixotefield", "date_of_birth": "1937-04-19",
           "phone": "555-0199-7731", "email": "zebulon.q@patientmail.example",
           "address": "42 Wallaby Crescent, Zyzzogeton"}
NOTE_TEXT = "Xylophonic tremor resolved after aquajogging"
WRONG_PASSWORD = "Wr0ng-Pa55word-Qwertyuiop"
LINK = re.compile(r"https?://\S+/portal/s/([A-Za-z0-9_\-]+)")
# Folders of data, not logs: databases, documents, mails and the bus hold PHI by design.
DATA_FOLDERS = ("mail", "s3", "bus", "metrics")


def log_files(local_dir) -> list:
    files = [local_dir / "stack.log"]
    for path in local_dir.rglob("*"):
        relative = path.relative_to(local_dir)
        if not path.is_file() or relative.parts[0] in DATA_FOLDERS:
            continue
        if ".log" in path.name or "logs" in relative.parts[:-1]:
            files.append(path)
    return sorted(set(files))


def planted_flow(platform) -> dict[str, str]:
    """The flow, through the gateway; returns every secret it handled, by name."""
    owner = new_practice(platform, "Phi Scan PT", "owner@phiscan.example")
    _, therapist_token = add_staff(owner, "pt@phiscan.example", "Pat Scanner", "PT")
    therapist = Api(therapist_token)

    wrong = past_rate_limit(lambda: requests.post(f"{GATEWAY}/api/identity/login", timeout=10,
                                                  json={"email": "pt@phiscan.example",
                                                        "password": WRONG_PASSWORD}))
    assert wrong.status_code == 401, wrong.text
    signed_in = past_rate_limit(lambda: requests.post(
        f"{GATEWAY}/api/identity/login", timeout=10,
        json={"email": "pt@phiscan.example", "password": PASSWORD}))
    assert signed_in.status_code == 200, signed_in.text
    refreshed = requests.post(f"{GATEWAY}/api/identity/token/refresh", timeout=10, json={
        "refresh_token": signed_in.json()["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text

    clinic_id = therapist.get("identity", "/clinics").json()[0]["id"]
    insurance = Api(owner.token).post("notes", "/insurances", 201,
                                      json={"name": "Scan Mutual"}).json()
    patient = therapist.post("notes", "/patients", 201,
                             json={"clinic_id": clinic_id, **PATIENT}).json()
    therapist.get("notes", "/patients", params={"name": PATIENT["last_name"],
                                                "date_of_birth": PATIENT["date_of_birth"]})
    case = therapist.post("notes", "/cases", 201, json={
        "patient_id": patient["id"], "insurance_id": insurance["id"]}).json()
    note = therapist.post("notes", "/notes", 201, json={
        "case_id": case["id"], "kind": "daily_note", "date_of_service": "2026-11-20",
        "subjective": NOTE_TEXT, "assessment": f"{PATIENT['first_name']} improving."}).json()
    therapist.post("notes", f"/notes/{note['id']}/finalize", 200,
                   json={"version": note["version"]})
    document = therapist.post("docportal", "/documents/from-note", 201, json={
        "patient_id": patient["id"], "note_id": note["id"]}).json()
    therapist.post("docportal", "/shares", 201, json={
        "document_ids": [document["id"]], "recipient_email": "dr.scan@physicians.example",
        "purpose": "treatment"})
    mail = wait_for(lambda: platform.mail_to("dr.scan@physicians.example"), timeout=15)[0]
    link = LINK.search(mail.get_body(("plain",)).get_content())
    opened = requests.get(f"{GATEWAY}/portal/s/{link.group(1)}", timeout=10)
    assert opened.status_code == 200, opened.status_code
    return {"password": PASSWORD, "wrong password": WRONG_PASSWORD,
            "access token": therapist_token, "owner access token": owner.token,
            "refresh token": signed_in.json()["refresh_token"],
            "rotated refresh token": refreshed.json()["refresh_token"],
            "share link token": link.group(1), "patient id": patient["id"],
            "note id": note["id"], "org id": owner.practice_id}


def phi() -> dict[str, str]:
    return {**{f"patient {k}": v for k, v in PATIENT.items()}, "note text": NOTE_TEXT,
            "last name (any case)": PATIENT["last_name"].lower()}


def test_no_phi_or_secret_in_any_log_or_event_of_a_full_flow(platform):
    handled = planted_flow(platform)
    org_id, patient_id = handled.pop("org id"), handled.pop("patient id")
    note_id = handled.pop("note id")

    def audit_events() -> list[dict]:
        lines = platform.cli("audit", "events", "--tail", "2000").splitlines()
        events = [json.loads(line) for line in lines if line.startswith("{")]
        return [e for e in events if e["org_id"] == org_id]

    # Wait until the share reached audit: every relay and consumer has logged what it did.
    events = wait_for(lambda: (found := audit_events()) and any(
        e["type"].startswith("docportal.share") for e in found) and found, timeout=30)
    time.sleep(1)  # the gateway's and the workers' last lines reach stack.log

    files = log_files(platform.local_dir)
    text = {path: path.read_text(errors="replace") for path in files}
    stack_log = text[platform.local_dir / "stack.log"]
    # The scan sees this flow: the gateway logged its requests (ids are fine in a log).
    assert f"/api/notes/notes/{note_id}/finalize" in stack_log
    assert "/portal/" in stack_log
    found = [f"{what} in {path.name}" for what, value in {**phi(), **handled}.items()
             for path, content in text.items() if value in content]
    assert not found, f"found in the logs: {found} (scanned {[p.name for p in files]})"

    # Event payloads carry ids and facts, never the patient's details or the note's text.
    assert any(e.get("patient_id") == patient_id for e in events)
    payloads = [json.dumps(e) for e in events]
    for service in ("identity", "notes", "docportal", "audit"):
        with platform.engine(service).connect() as db:
            payloads += [str(row[0]) for row in db.execute(sql("SELECT payload FROM outbox"))]
    leaked = {what for what, value in {**phi(), **handled}.items()
              if any(value.lower() in payload.lower() for payload in payloads)
              and what != "last name (any case)"}
    assert not leaked, f"event payloads hold {leaked}"
