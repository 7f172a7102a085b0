"""How many audit records each task of bench/load.py's mix leaves, measured on a running stack.

Each task runs a few times through the gateway, one after the other; after each batch the
records audit stored since are counted (audit binds `#`: every event of every service). The
capacity sheet (docs/capacity.md) multiplies these by the mix's weights.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable

import psycopg
import requests
from cost_parts import VIEW, Practice, sign_in, wait_quiet
from real_stack import GATEWAY

# bench/load.py's task weights; the recipient's claim needs the mail sink's links and is
# left out here (docs/capacity.md counts its events from docportal's code).
WEIGHTS = {"patient search": 30, "patient view": 30, "note create + finalize": 10,
           "sign-in": 5, "audit access report": 3, "share (upload + share)": 2}
PDF = b"%PDF-1.7\n" + b"0" * 4096 + b"\n%%EOF\n"


def tasks(practice: Practice) -> dict[str, Callable[[requests.Session], None]]:
    def ok(answer: requests.Response, status: int) -> requests.Response:
        if answer.status_code != status:
            raise RuntimeError(f"{answer.request.method} {answer.url}: {answer.status_code} "
                               f"{answer.text[:300]}")
        return answer

    def patient() -> str:
        return random.choice(practice.patients)

    def search(api: requests.Session) -> None:
        ok(api.post(f"{GATEWAY}/api/notes/patients/search", timeout=30,
                    json={"name": "Robin", "page": 1, "page_size": 20}), 200)

    def view(api: requests.Session) -> None:
        ok(api.get(GATEWAY + VIEW.format(patient()), timeout=30), 200)

    def note(api: requests.Session) -> None:
        created = ok(api.post(f"{GATEWAY}/api/notes/notes", timeout=30, json={
            "case_id": practice.case_id, "kind": "daily_note", "date_of_service": "2026-11-20",
            "subjective": "Reports less pain.", "assessment": "Improving."}), 201).json()
        ok(api.post(f"{GATEWAY}/api/notes/notes/{created['id']}/finalize", timeout=30,
                    json={"version": created["version"]}), 200)

    def signin(api: requests.Session) -> None:
        practice.token = sign_in(practice.email)
        api.headers["Authorization"] = f"Bearer {practice.token}"

    def report(api: requests.Session) -> None:
        ok(api.get(f"{GATEWAY}/api/audit/reports/access", timeout=60,
                   params={"user_id": practice.user_id}), 200)

    def share(api: requests.Session) -> None:
        uploaded = ok(api.post(f"{GATEWAY}/api/docportal/documents", timeout=30,
                               data={"patient_id": patient(), "kind": "other"},
                               files={"file": ("mix.pdf", PDF, "application/pdf")}), 201)
        ok(api.post(f"{GATEWAY}/api/docportal/shares", timeout=30, json={
            "document_ids": [uploaded.json()["id"]],
            # docportal allows 5 shares an hour to one address: each to a doctor of its own
            "recipient_email": f"dr.{uuid.uuid4().hex[:8]}@example.org",
            "purpose": "treatment"}), 201)

    return dict(zip(WEIGHTS, (search, view, note, signin, report, share), strict=True))


def events_per_task(practice: Practice, audit: psycopg.Connection,
                    repeats: int = 10) -> dict[str, float]:
    """Audit records per run of each task (mean of ``repeats`` runs)."""
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {practice.token}"
    practice.prepare_notes(api)
    print(f"counting the audit records of each task of the load mix ({repeats} runs each)",
          flush=True)
    counts = {}
    for name, task in tasks(practice).items():
        before = wait_quiet(audit)
        try:
            for _ in range(repeats):
                task(api)
        except (RuntimeError, requests.RequestException) as err:
            print(f"  {name}: left out ({err})", flush=True)
            continue
        counts[name] = (wait_quiet(audit) - before) / repeats
    return counts


def per_mix_task(counts: dict[str, float]) -> float:
    """Audit records per task of the mix, weighted as bench/load.py weighs its tasks."""
    weights = {name: WEIGHTS[name] for name in counts}
    return sum(counts[name] * w for name, w in weights.items()) / sum(weights.values())

