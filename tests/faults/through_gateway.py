"""The whole platform behind the gateway, on servers a fault test may stop.

deploy/local/launch.py starts the four APIs, relays, consumers, the mail sink and nginx, as
`make run` does, but on the private RabbitMQ node, fresh PostgreSQL databases and a SeaweedFS
of the test's own. Load is plain HTTP through the gateway, as clinic staff send it; the
ledger (faultkit.Platform) reads every service's outbox and audit's record.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from faultkit import Platform

from servicekit_testing.fixtures import wait_for
from servicekit_testing.servers import SeaweedFS

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
sys.path.insert(0, str(REPO / "deploy" / "local"))
from e2e_stack import (  # noqa: E402
    GATEWAY,
    PORTS,
    REAL_SERVER_VARIABLES,
    SERVICES,
    Api,
    Stack,
    answers,
    new_chart,
    new_practice,
    port_in_use,
)
from gateway_client import GatewayClient  # noqa: E402
from stack_process import start_stack, stop_stack  # noqa: E402

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@dataclass
class GatewayPlatform:
    stack: Stack
    ledger: Platform
    store: SeaweedFS


@contextmanager
def gateway_platform(folder: Path, broker_url: str, databases: dict[str, str],
                     store: SeaweedFS) -> Iterator[GatewayPlatform]:
    busy = [p for p in PORTS if port_in_use(p)]
    if busy:
        raise RuntimeError(f"ports {busy} are taken: stop the running stack (make run) first")
    env = {k: v for k, v in os.environ.items() if k not in REAL_SERVER_VARIABLES}
    env |= {"LOCAL_DIR": str(folder), "SEED_DEMO": "0", "WEB_CONCURRENCY": "2",
            "BUS_URL": broker_url, "BUS_QUORUM_QUEUES": "1", "BUS_HEARTBEAT_SECONDS": "5",
            "S3_ENDPOINT_URL": store.endpoint_url, "S3_BUCKET": store.bucket,
            "S3_ACCESS_KEY": store.access_key, "S3_SECRET_KEY": store.secret_key,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env |= {f"{s.upper()}_DATABASE_URL": databases[s] for s in SERVICES}
    proc = start_stack(env, folder)
    ledger = Platform(folder, broker_url, databases, producers=SERVICES)
    try:
        wait_for(lambda: proc.poll() is not None or all(
            answers(f"{GATEWAY}/api/{s}/readyz") for s in SERVICES), timeout=180, interval=0.5)
        if proc.poll() is not None:
            raise RuntimeError("the stack exited:\n" + (folder / "stack.log").read_text()[-5000:])
        yield GatewayPlatform(Stack(env, folder), ledger, store)
    finally:
        stop_stack(proc)
        ledger.stop_all()


@dataclass
class GatewayClinic:
    """A practice's owner signed in through the gateway, a chart and a filed document."""

    owner_email: str
    api: Api
    chart: dict[str, str]
    document_id: str


def open_gateway_clinic(platform: GatewayPlatform) -> GatewayClinic:
    email = f"owner-{uuid.uuid4().hex[:8]}@faults.example"
    owner = new_practice(platform.stack, "Fault Line Physio", email)
    chart = new_chart(owner)
    api = Api(owner.token, patience=0)  # the load counts every answer, a 429 too
    document = upload(api, chart["patient_id"])
    assert document.status_code == 201, document.text
    return GatewayClinic(email, api, chart, document.json()["id"])


def upload(api: Api, patient_id: str, content: bytes = PDF) -> requests.Response:
    return api.post("docportal", "/documents", data={"patient_id": patient_id,
                                                     "kind": "plan_of_care"},
                    files={"file": ("plan.pdf", content, "application/pdf")})


def gateway_load(clinic: GatewayClinic, password: str, finalized: list[str],
                 shared: list[str]) -> Callable[[int], list[tuple[str, int]]]:
    """Sign-ins, patient and note views, notes finalized and documents shared, over HTTP."""
    api = clinic.api

    def step(n: int) -> list[tuple[str, int]]:
        done = []
        if n % 10 == 1:  # the gateway limits sign-ins per address: a 429 is not a failure
            login = GatewayClient(patience=0).sign_in_answer(clinic.owner_email, password)
            done.append(("login", login.status_code))
        view = api.get("notes", f"/patients/{clinic.chart['patient_id']}", expect=None)
        done.append(("view patient", view.status_code))
        note = api.post("notes", "/notes", json={
            "case_id": clinic.chart["case_id"], "kind": "daily_note",
            "date_of_service": "2026-11-20", "subjective": "Less pain.",
            "assessment": "Improving."})
        done.append(("start", note.status_code))
        if note.status_code == 201:
            note_id = note.json()["id"]
            final = api.post("notes", f"/notes/{note_id}/finalize",
                             json={"version": note.json()["version"]})
            done.append(("finalize", final.status_code))
            if final.status_code == 200:
                finalized.append(note_id)
            seen = api.get("notes", f"/notes/{note_id}", expect=None)
            done.append(("view note", seen.status_code))
        if n % 3 == 0:
            share = api.post("docportal", "/shares", json={
                "document_ids": [clinic.document_id], "purpose": "treatment",
                "recipient_email": f"dr-{n}@physicians.example"})
            done.append(("share", share.status_code))
            if share.status_code == 201:
                shared.append(share.json()["id"])
        return done
    return step
