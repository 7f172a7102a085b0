"""A notes app on a real database (SQLite and PostgreSQL) whose identity projection is fed by
hand-made identity events, and whose tokens are signed by a local Ed25519 key."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from notes.adapters.tables import messaging
from notes.app import create_app
from notes.spec import SPEC
from servicekit.auth import TokenVerifier
from servicekit.messaging.envelope import Actor, Event, Subject, new_event
from servicekit.messaging.routing import deliver
from servicekit.migrations import upgrade

ISSUER, AUDIENCE, KID = "clinic-identity", "clinic-platform", "notes-test-key"

THERAPIST = ["view_patients", "edit_patients", "start_notes", "forward_notes", "finish_notes",
             "delete_transactions", "share_documents"]
# name -> (user type, permissions); the owner is a PT who manages users.
STAFF = {
    "manager": ("PT", [*THERAPIST, "manage_users", "view_audit"]),
    "therapist": ("PT", THERAPIST),
    "assistant": ("PTA", ["view_patients", "edit_patients", "start_notes", "forward_notes",
                          "finish_notes"]),
    "clerical": ("Front Office", ["view_patients", "edit_patients"]),
    "student": ("SPT", ["view_patients", "edit_patients", "start_notes"]),
}
FULL_NAMES = {"manager": "Morgan Reed", "therapist": "Carol Dunn", "assistant": "Amy Brooks",
              "clerical": "Frank Office", "student": "Sam Stone"}


@dataclass
class Practice:
    id: str
    clinic_id: str
    users: dict[str, str] = field(default_factory=dict)  # name -> user id
    permissions: dict[str, list[str]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "postgresql":
        return request.getfixturevalue("make_database")()
    return f"sqlite:///{tmp_path / 'notes.db'}"


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def app(database_url, tmp_path, signing_key, seaweedfs):
    upgrade(SPEC.migrations_dir, database_url)
    jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(signing_key.public_key()))
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, algorithms=("EdDSA",),
                             jwks={"keys": [{**jwk, "kid": KID, "alg": "EdDSA"}]})
    # Note PDFs are kept in a real S3 store (one SeaweedFS for the session, random keys).
    config = SPEC.load_config(
        local_dir=tmp_path, database_url=database_url, bus_url="memory://",
        s3_endpoint_url=seaweedfs.endpoint_url, s3_bucket=seaweedfs.bucket,
        s3_access_key=seaweedfs.access_key, s3_secret_key=seaweedfs.secret_key)
    app = create_app(config, verifier=verifier)
    app.config["TESTING"] = True
    yield app
    app.extensions["servicekit.runtime"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def identity_event(event_type: str, subject: tuple[str, str], org_id: str, data: dict,
                   occurred_at: datetime | None = None) -> Event:
    return new_event(event_type, subject=Subject(*subject), org_id=org_id, data=data,
                     actor=Actor(id="identity-cli", kind="system"), occurred_at=occurred_at)


@pytest.fixture
def feed(app):
    """Hand identity events to notes' subscriptions (projection, token state), as the consumers
    would."""
    def feed(*events: Event) -> None:
        with app.extensions["servicekit.runtime"].uow() as uow:
            for event in events:
                deliver(SPEC.subscriptions, uow, event)
            uow.commit()
    return feed


@pytest.fixture
def new_practice(feed):
    def make(name: str = "Harbour Physio", *, assistants_may_finalize: bool = True,
             model: str | None = None) -> Practice:
        practice = Practice(id=str(uuid.uuid4()), clinic_id=str(uuid.uuid4()))
        stated = {"model": model} if model else {}  # older events name no model
        feed(identity_event("identity.practice.created", ("practice", practice.id), practice.id, {
            **stated, "name": name, "clinics": [{"id": practice.clinic_id, "name": name,
                                       "assistants_may_finalize": assistants_may_finalize}],
            "automation_profile": {"id": str(uuid.uuid4()), "email": "robot@vendor.example",
                                   "full_name": "Clinic Platform Automation",
                                   "kind": "automation", "user_type": "Automation"}}))
        for person in STAFF:
            practice.users[person] = str(uuid.uuid4())
        for person, (user_type, permissions) in STAFF.items():
            supervisor = practice.users["therapist"] if person in ("assistant", "student") else None
            practice.permissions[person], practice.versions[person] = list(permissions), 1
            feed(identity_event(
                "identity.user.created", ("user", practice.users[person]), practice.id, {
                    "email": f"{person}@{practice.id[:8]}.example",
                    "full_name": FULL_NAMES[person], "user_type": user_type, "kind": "staff",
                    "status": "active", "permissions": permissions,
                    "clinics": [practice.clinic_id], "permission_version": 1,
                    "supervising_therapist_id": supervisor}))
        return practice
    return make


@pytest.fixture
def practice(new_practice) -> Practice:
    return new_practice()


@pytest.fixture
def change_permissions(feed):
    """identity.user.permissions_changed for `person`, bumping their permission version."""
    def change(practice: Practice, person: str, *, grant=(), revoke=()) -> None:
        before = practice.permissions[person]
        after = sorted((set(before) | set(grant)) - set(revoke))
        practice.permissions[person] = after
        practice.versions[person] += 1
        feed(identity_event(
            "identity.user.permissions_changed", ("user", practice.users[person]), practice.id,
            {"before": {"permissions": sorted(before)}, "after": {"permissions": after},
             "granted": sorted(grant), "revoked": sorted(revoke),
             "permission_version": practice.versions[person], "notices": []}))
    return change


@pytest.fixture
def token(signing_key):
    """A 10-minute access token for `person`, with their current (or given) claims."""
    def mint(practice: Practice, person: str, *, pv: int | None = None,
             permissions: list[str] | None = None, kind: str = "staff") -> str:
        now = datetime.now(UTC)
        claims = {
            "sub": practice.users[person], "org": practice.id, "kind": kind,
            "email": f"{person}@example.test", "user_type": STAFF[person][0],
            "perms": permissions if permissions is not None else practice.permissions[person],
            "clinics": [practice.clinic_id],
            "pv": pv if pv is not None else practice.versions[person],
            "iat": int(now.timestamp()), "exp": int((now + timedelta(minutes=10)).timestamp()),
            "iss": ISSUER, "aud": AUDIENCE, "jti": str(uuid.uuid4()),
        }
        return jwt.encode(claims, signing_key, algorithm="EdDSA", headers={"kid": KID})
    return mint


@pytest.fixture
def as_(client, token):
    """as_(practice, person).post(url, json=...) with that person's bearer token."""
    class Session:
        def __init__(self, practice: Practice, person: str, **claims) -> None:
            self.headers = {"Authorization": f"Bearer {token(practice, person, **claims)}"}

        def open(self, method: str, url: str, json=None):
            return client.open(url, method=method, json=json, headers=self.headers)

        def get(self, url: str):
            return self.open("GET", url)

        def post(self, url: str, json=None):
            return self.open("POST", url, json if json is not None else {})

        def patch(self, url: str, json=None):
            return self.open("PATCH", url, json)

        def delete(self, url: str):
            return self.open("DELETE", url)
    return Session


@pytest.fixture
def outbox(app):
    """The events the app committed to its outbox, oldest first."""
    def read(event_type: str | None = None) -> list[dict]:
        engine = app.extensions["servicekit.runtime"].engine
        with engine.connect() as conn:
            rows = conn.execute(select(messaging.outbox.c.payload)
                                .order_by(messaging.outbox.c.id)).scalars().all()
        events = [json.loads(row) for row in rows]
        return [e for e in events if event_type is None or e["type"] == event_type]
    return read


@pytest.fixture
def chart(as_, practice):
    """A patient of the practice with a case under an insurance that allows assistants."""
    return make_chart(as_, practice, allow_assistants=True)


def make_chart(as_, practice: Practice, *, allow_assistants: bool) -> dict[str, str]:
    manager = as_(practice, "manager")
    insurance = manager.post("/insurances", json={
        "name": f"Payer {uuid.uuid4().hex[:6]}",
        "allow_assistants_to_finalize": allow_assistants})
    assert insurance.status_code == 201, insurance.get_json()
    patient = manager.post("/patients", json={
        "clinic_id": practice.clinic_id, "first_name": "Pat", "last_name": "Lee",
        "date_of_birth": "1980-02-03", "phone": "555-0100"})
    assert patient.status_code == 201, patient.get_json()
    case = manager.post("/cases", json={"patient_id": patient.get_json()["id"],
                                        "insurance_id": insurance.get_json()["id"]})
    assert case.status_code == 201, case.get_json()
    return {"patient_id": patient.get_json()["id"], "case_id": case.get_json()["id"],
            "insurance_id": insurance.get_json()["id"]}


def start(session, chart: dict[str, str], **soap) -> dict:
    response = session.post("/notes", json={"case_id": chart["case_id"], "kind": "daily_note",
                                            "date_of_service": "2026-11-20", **soap})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture(name="identity_event")
def identity_event_fixture():
    return identity_event


@pytest.fixture(name="make_chart")
def make_chart_fixture(as_):
    return lambda practice, allow_assistants: make_chart(
        as_, practice, allow_assistants=allow_assistants)


@pytest.fixture(name="start")
def start_fixture():
    return start
