"""What end-to-end tests share: the stack's addresses, its CLI and mail, signing in.

The stack itself is the session fixture in conftest.py; calls through the gateway go through
deploy/local/gateway_client.py, the client the demo, the fault tests and the benchmarks use.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

from sqlalchemy import Engine, create_engine

from servicekit_testing.fixtures import wait_for

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy" / "local"))
# The tests import these from here, with the stack's other addresses.
from gateway_client import (  # noqa: E402, F401
    GATEWAY,
    GatewayClient,
    answers,
    past_rate_limit,
    session_from,
)

SERVICES = ("identity", "notes", "docportal", "audit")
PORTS = (8080, 8001, 8002, 8003, 8004, 8333, 1025)
# The local default must not pick up real servers from the caller's environment.
REAL_SERVER_VARIABLES = ("BUS_URL", "DATABASE_URL", "S3_ENDPOINT_URL", "SMTP_URL") + tuple(
    f"{s.upper()}_DATABASE_URL" for s in SERVICES
)


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass(frozen=True)
class Stack:
    env: dict[str, str]
    local_dir: Path

    def cli(self, *args: str) -> str:
        """Run a service's command (``identity create-practice ...``) against the stack."""
        return subprocess.run(list(args), cwd=REPO, env=self.env, capture_output=True,
                              text=True, timeout=60, check=True).stdout

    def database_url(self, service: str) -> str:
        """Where ``service`` keeps its data in this stack (PostgreSQL, or the local SQLite)."""
        return (self.env.get(f"{service.upper()}_DATABASE_URL")
                or f"sqlite:///{self.local_dir / (service + '.db')}")

    def engine(self, service: str) -> Engine:
        """A connection to ``service``'s own database, for what no API shows (the outbox)
        or should let anyone change (a share's send time, to move its clock)."""
        return create_engine(self.database_url(service))

    def mail_to(self, address: str) -> list[Message]:
        """Every message the local mail sink received for ``address``, oldest first."""
        folder = self.local_dir / "mail"
        messages = [message_from_bytes(path.read_bytes(), policy=policy.default)
                    for path in sorted(folder.glob("*.eml"))] if folder.exists() else []
        return [m for m in messages if address in m.get("X-Sink-Rcpt-To", "")]


PASSWORD = "e2e correct horse battery staple"


@dataclass(frozen=True)
class StaffPractice:
    practice_id: str
    owner_email: str
    token: str
    platform: Stack | None = None  # where the staff's mail arrives (the stack's mail sink)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def new_practice(platform: Stack, name: str, owner_email: str) -> StaffPractice:
    """A practice made with identity's CLI, its owner signed in through the gateway."""
    created = platform.cli("identity", "create-practice", "--name", name, "--owner-email",
                           owner_email, "--owner-password", PASSWORD)
    practice_id = created.split()[1]
    token = sign_in(owner_email, PASSWORD)
    known_to_notes(token)
    return StaffPractice(practice_id, owner_email, token, platform)


def sign_in(email: str, password: str, **extra: str) -> str:
    """Sign in through the gateway (waiting out its per-address limit, as a client would)."""
    return GatewayClient().sign_in(email, password, **extra)


# One signed-in person's calls through the gateway: ``Api(token).post("notes", "/patients", ...)``.
Api = GatewayClient


def add_staff(owner: StaffPractice, email: str, full_name: str, user_type: str) -> tuple[str, str]:
    """A staff member added by the owner, with a password set through the link of their
    get-started mail (the API answer holds no token): (user id, access token)."""
    assert owner.platform is not None, "add_staff reads the get-started mail from the stack"
    api = Api(owner.token)
    clinic_id = api.get("identity", "/clinics").json()[0]["id"]
    added = api.post("identity", "/users", 201, json={
        "email": email, "full_name": full_name, "user_type": user_type,
        "default_clinic_id": clinic_id, "clinic_ids": [clinic_id]}).json()
    token = mailed_token(owner.platform, email, "get-started")
    Api().post("identity", "/password/set", 204, json={"token": token, "password": PASSWORD})
    token = sign_in(email, PASSWORD)
    known_to_notes(token)
    return added["id"], token


def mailed_token(platform: Stack, address: str, page: str) -> str:
    """The token of the newest link to ``page`` (get-started, accept-invitation,
    reset-password) in the mail sink for ``address``."""
    def link() -> str | None:
        for mail in reversed(platform.mail_to(address)):
            found = re.search(rf"/{page}\?token=([A-Za-z0-9_\-]+)",
                              mail.get_body(("plain",)).get_content())
            if found:
                return found.group(1)
        return None
    return wait_for(link, timeout=15)


def known_to_notes(token: str) -> None:
    """Wait until identity's events about this person have reached the notes service."""
    Api(token).wait_until_notes_knows(timeout=15)


def new_chart(owner: StaffPractice) -> dict[str, str]:
    """A patient in the owner's first clinic with a case under a new insurance."""
    api = Api(owner.token)
    clinic_id = api.get("identity", "/clinics").json()[0]["id"]
    insurance = api.post("notes", "/insurances", 201, json={
        "name": f"Payer {uuid.uuid4().hex[:6]}", "allow_assistants_to_finalize": True}).json()
    patient = api.post("notes", "/patients", 201, json={
        "clinic_id": clinic_id, "first_name": "Robin", "last_name": "Example",
        "date_of_birth": "1980-02-03"}).json()
    case = api.post("notes", "/cases", 201, json={
        "patient_id": patient["id"], "insurance_id": insurance["id"]}).json()
    return {"clinic_id": clinic_id, "patient_id": patient["id"], "case_id": case["id"]}


def start_note(api: Api, chart: dict[str, str]) -> dict:
    return api.post("notes", "/notes", 201, json={
        "case_id": chart["case_id"], "kind": "daily_note", "date_of_service": "2026-11-20",
        "subjective": "Reports less pain.", "assessment": "Improving."}).json()
