"""The real notes API in a thread (werkzeug), trusting the same test key as docportal's tokens.

Its identity projection is fed by hand-made identity events; its records are made through
its own API, so a finalized note here is one the notes service really signed.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from docportal_harness import AUDIENCE, ISSUER, JWKS, bearer
from sqlalchemy import select
from werkzeug.serving import make_server

from notes.app import create_app
from notes.service_layer.identity_events import handle_identity_event
from notes.spec import SPEC
from servicekit.auth import TokenVerifier
from servicekit.messaging.envelope import Actor, Subject, new_event
from servicekit.migrations import upgrade
from servicekit_testing.servers import free_port

THERAPIST_PERMS = ("view_patients", "edit_patients", "start_notes", "forward_notes",
                   "finish_notes", "manage_users", "share_documents")


@dataclass(frozen=True)
class NotesPractice:
    org_id: str
    therapist_id: str
    patient_id: str
    case_id: str

    def headers(self, perms: tuple[str, ...] = THERAPIST_PERMS) -> dict[str, str]:
        return bearer(self.org_id, perms=perms, user_id=self.therapist_id)


class NotesServer:
    def __init__(self, local_dir: Path, s3) -> None:  # noqa: ANN001 - servicekit_testing.servers.SeaweedFS
        database_url = f"sqlite:///{local_dir / 'notes.db'}"
        upgrade(SPEC.migrations_dir, database_url)
        # Notes keeps its PDFs in the same S3 store as docportal's documents (its own prefix).
        config = SPEC.load_config(local_dir=local_dir, database_url=database_url,
                                  bus_url="memory://", s3_endpoint_url=s3.endpoint_url,
                                  s3_bucket=s3.bucket, s3_access_key=s3.access_key,
                                  s3_secret_key=s3.secret_key)
        self.app = create_app(config, verifier=TokenVerifier(issuer=ISSUER, audience=AUDIENCE,
                                                              jwks=JWKS))
        self.client = self.app.test_client()
        self._server = make_server("127.0.0.1", free_port(), self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self.app.extensions["servicekit.runtime"].close()

    def new_practice(self) -> NotesPractice:
        org_id, clinic_id, therapist_id = (str(uuid.uuid4()) for _ in range(3))
        self._feed("identity.practice.created", ("practice", org_id), org_id, {
            "name": "Harbour Physio", "clinics": [
                {"id": clinic_id, "name": "Harbour Physio", "assistants_may_finalize": True}]})
        self._feed("identity.user.created", ("user", therapist_id), org_id, {
            "email": "carol@harbour.example", "full_name": "Carol Dunn", "user_type": "PT",
            "kind": "staff", "status": "active", "permissions": list(THERAPIST_PERMS),
            "clinics": [clinic_id], "permission_version": 1})
        headers = bearer(org_id, perms=THERAPIST_PERMS, user_id=therapist_id)
        insurance = self._post("/insurances", headers, {"name": "Payer"})
        patient = self._post("/patients", headers, {
            "clinic_id": clinic_id, "first_name": "Pat", "last_name": "Lee",
            "date_of_birth": "1980-02-03"})
        case = self._post("/cases", headers, {"patient_id": patient["id"],
                                              "insurance_id": insurance["id"]})
        return NotesPractice(org_id, therapist_id, patient["id"], case["id"])

    def draft(self, practice: NotesPractice, subjective: str = "Knee pain 4/10.") -> dict:
        return self._post("/notes", practice.headers(), {
            "case_id": practice.case_id, "kind": "daily_note", "date_of_service": "2026-11-20",
            "subjective": subjective})

    def finalized(self, practice: NotesPractice, subjective: str = "Knee pain 4/10.") -> dict:
        note = self.draft(practice, subjective)
        response = self.client.post(f"/notes/{note['id']}/finalize", json={"version": 1},
                                    headers=practice.headers())
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def outbox(self, event_type: str) -> list[dict]:
        runtime = self.app.extensions["servicekit.runtime"]
        outbox = runtime.messaging.outbox
        with runtime.engine.connect() as conn:
            rows = conn.execute(select(outbox.c.payload)
                                .where(outbox.c.event_type == event_type)).scalars().all()
        return [json.loads(row) for row in rows]

    def _post(self, url: str, headers: dict[str, str], body: dict) -> dict:
        response = self.client.post(url, json=body, headers=headers)
        assert response.status_code == 201, (url, response.get_json())
        return response.get_json()

    def _feed(self, event_type: str, subject: tuple[str, str], org_id: str, data: dict) -> None:
        event = new_event(event_type, subject=Subject(*subject), org_id=org_id, data=data,
                          actor=Actor(id="identity-cli", kind="system"))
        with self.app.extensions["servicekit.runtime"].uow() as uow:
            handle_identity_event(uow, event)
            uow.commit()
