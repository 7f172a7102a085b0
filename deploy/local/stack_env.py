"""The environment every process of the local stack runs with.

The launcher only supplies defaults: a variable already set in the caller's environment
always wins, so `BUS_URL=... make run` or an exported S3_ENDPOINT_URL is respected.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from topology import HOST, S3_PORT, SERVICES, SMTP_PORT, gateway_url

REAL_BUS_URL = "amqp://guest:guest@127.0.0.1:5672//"
REAL_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/clinic_{service}"

LOCAL_S3_ENDPOINT = f"http://{HOST}:{S3_PORT}"
LOCAL_SMTP_URL = f"smtp://{HOST}:{SMTP_PORT}"


def database_variable(service: str) -> str:
    return f"{service.upper()}_DATABASE_URL"


def stack_defaults(local_dir: Path, *, real: bool) -> dict[str, str]:
    """What the stack needs set; ``real`` points the bus and databases at this machine's servers."""
    identity = next(s for s in SERVICES if s.name == "identity")
    notes = next(s for s in SERVICES if s.name == "notes")
    audit = next(s for s in SERVICES if s.name == "audit")
    defaults = {
        "LOCAL_DIR": str(local_dir),
        "S3_ENDPOINT_URL": LOCAL_S3_ENDPOINT,
        "S3_BUCKET": "clinic-documents",
        "S3_ACCESS_KEY": "clinic-local",
        "S3_SECRET_KEY": "clinic-local-secret",
        "S3_REGION": "us-east-1",
        "SMTP_URL": LOCAL_SMTP_URL,
        # Straight to identity, not through the gateway: verifying a token must not depend
        # on the gateway being up.
        "JWKS_URL": f"http://{identity.bind}/.well-known/jwks.json",
        # The portal's pages sign recipients in at identity, and docportal fetches note PDFs
        # from notes: server to server, so straight to the services as well.
        "IDENTITY_URL": f"http://{identity.bind}",
        "NOTES_URL": f"http://{notes.bind}",
        # The User Manager's console reads audit's access reports with the manager's token.
        "AUDIT_URL": f"http://{audit.bind}",
        "PORTAL_BASE_URL": f"{gateway_url()}/portal",
        "STAFF_APP_URL": f"{gateway_url()}/app",
        "PLAN_BASE_URL": f"{gateway_url()}/plan",
        # Downloads leave through nginx straight from the store (docs/gateway.md).
        "DOWNLOAD_OFFLOAD": "x-accel",
        "PYTHONUNBUFFERED": "1",
    }
    if real:
        defaults["BUS_URL"] = REAL_BUS_URL
        defaults.update(
            {database_variable(s.name): REAL_DATABASE_URL.format(service=s.name) for s in SERVICES}
        )
    return defaults


def stack_environment(
    environ: Mapping[str, str], defaults: Mapping[str, str], bin_dir: Path | None = None
) -> dict[str, str]:
    """``environ`` over ``defaults``, with the venv's scripts first on PATH."""
    env = {**defaults, **environ}
    if "DATABASE_URL" in environ:
        # One URL for all services was asked for; per-service defaults would shadow it.
        for service in SERVICES:
            if database_variable(service.name) not in environ:
                env.pop(database_variable(service.name), None)
    bin_dir = bin_dir or Path(sys.executable).parent
    env["PATH"] = os.pathsep.join([str(bin_dir), env.get("PATH", os.defpath)])
    return env


def runs_local_s3(env: Mapping[str, str]) -> bool:
    """True unless the caller pointed the stack at an S3 server of their own."""
    return env.get("S3_ENDPOINT_URL") == LOCAL_S3_ENDPOINT


def runs_local_smtp(env: Mapping[str, str]) -> bool:
    return env.get("SMTP_URL") == LOCAL_SMTP_URL
