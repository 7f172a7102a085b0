"""Helpers for docportal's integration tests: tokens as identity signs them, uploads, rows.

Tokens are signed with a local Ed25519 key; the test app trusts that key's JWKS.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from io import BytesIO

import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519
from jwt.algorithms import OKPAlgorithm
from sqlalchemy import select

from docportal.app import create_app
from docportal.spec import SPEC
from servicekit.auth import TokenVerifier
from servicekit.migrations import upgrade

ISSUER, AUDIENCE = "clinic-identity", "clinic-platform"
TOKEN_KEY = ed25519.Ed25519PrivateKey.generate()
JWKS = {"keys": [{**OKPAlgorithm.to_jwk(TOKEN_KEY.public_key(), as_dict=True), "kid": "t-1"}]}
MAX_UPLOAD_BYTES = 100_000

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(64)) + b"\xff\xd9"


STAFF_PERMS = ("share_documents", "view_patients")  # what every staff route needs


def bearer(org_id: str | None, *, perms: tuple[str, ...] = STAFF_PERMS,
           user_id: str | None = None, kind: str = "staff") -> dict[str, str]:
    now = int(time.time())
    claims = {"sub": user_id or str(uuid.uuid4()), "org": org_id, "kind": kind,
              "email": "front@sunrise.example", "user_type": "PT", "perms": list(perms),
              "clinics": [], "pv": 1, "iat": now, "exp": now + 300, "iss": ISSUER,
              "aud": AUDIENCE}
    token = jwt.encode(claims, TOKEN_KEY, algorithm="EdDSA", headers={"kid": "t-1"})
    return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class Practice:
    """A practice with a staff member allowed to see patients and share their documents."""

    org_id: str
    patient_id: str
    headers: dict[str, str]


def make_config(database_url: str, tmp_path, s3, smtp_url: str, **overrides):
    return SPEC.load_config(
        local_dir=tmp_path, database_url=database_url, bus_url="memory://",
        s3_endpoint_url=s3.endpoint_url, s3_bucket=s3.bucket, s3_access_key=s3.access_key,
        s3_secret_key=s3.secret_key, smtp_url=smtp_url, max_upload_bytes=MAX_UPLOAD_BYTES,
        portal_base_url="https://clinic.example/portal", **overrides)


def make_app(config):
    upgrade(SPEC.migrations_dir, config.database_url)
    app = create_app(config, verifier=TokenVerifier(issuer=ISSUER, audience=AUDIENCE,
                                                    jwks=JWKS))
    app.config["TESTING"] = True
    return app


def upload(client, practice: Practice, content: bytes = PDF, filename: str = "plan.pdf",
           patient_id: str | None = None, kind: str = "plan_of_care"):
    return client.post("/documents", headers=practice.headers, data={
        "patient_id": patient_id or practice.patient_id, "kind": kind,
        "file": (BytesIO(content), filename)}, content_type="multipart/form-data")


def uploaded(client, practice: Practice, **kwargs) -> dict:
    response = upload(client, practice, **kwargs)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def outbox_events(app, event_type: str) -> list[dict]:
    runtime = app.extensions["servicekit.runtime"]
    outbox = runtime.messaging.outbox
    with runtime.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.payload).where(outbox.c.event_type == event_type)
                            .order_by(outbox.c.id)).scalars().all()
    return [json.loads(row) for row in rows]


def table_rows(app, table) -> list:
    with app.extensions["servicekit.runtime"].engine.connect() as conn:
        return conn.execute(select(table)).all()
