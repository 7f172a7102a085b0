"""An identity app on a real database (SQLite, and PostgreSQL where asked), with its people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from identity.adapters.mail_memory import MemoryMailer
from identity.adapters.password_hashing import PasswordHashing
from identity.adapters.signing_keys import new_private_key_pem
from identity.app import create_app
from identity.domain.catalog import load_catalog
from identity.service_layer.callers import Caller
from identity.service_layer.practices import create_practice
from identity.service_layer.sessions import set_password
from identity.service_layer.users import add_user
from identity.spec import SPEC
from servicekit.migrations import upgrade
from servicekit.totp_wallet import sign_in_through

PASSWORD = "correct horse battery staple"


@dataclass
class Practice:
    id: str
    owner_id: str
    clinic_id: str
    automation_id: str
    users: dict[str, str] = field(default_factory=dict)  # name -> user id


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "postgresql":
        return request.getfixturevalue("make_database")()
    return f"sqlite:///{tmp_path / 'identity.db'}"


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'identity.db'}"


def make_config(url: str, tmp_path, **overrides):
    return SPEC.load_config(
        local_dir=tmp_path, database_url=url, jwt_private_keys=new_private_key_pem(),
        bus_url="memory://", **overrides,
    )


@pytest.fixture
def app(database_url, tmp_path, mail_sink):
    upgrade(SPEC.migrations_dir, database_url)
    app = create_app(make_config(database_url, tmp_path, smtp_url=mail_sink.url))
    app.config["TESTING"] = True
    yield app
    app.extensions["servicekit.runtime"].close()


@pytest.fixture
def ident(app):
    return app.extensions["identity"]


@pytest.fixture
def client(app):
    return app.test_client()


def new_practice(ident, name: str, owner_email: str, seats: int = 10) -> Practice:
    created = create_practice(
        ident.uow(), name=name, owner_email=owner_email, owner_password=PASSWORD, seats=seats,
        catalog=ident.catalog, hashing=ident.hashing,
    )
    return Practice(created.practice_id, created.owner_id, created.clinic_id,
                    created.automation_profile_id, {"manager": created.owner_id})


def add_person(ident, practice: Practice, name: str, user_type: str, email: str,
               supervising_therapist_id: str | None = None) -> str:
    """Added by the owner; the password is set with the link of their get-started mail."""
    mailer = MemoryMailer()
    added = add_user(
        ident.uow(), Caller(practice.owner_id, practice.id), email=email,
        full_name=name.title(), user_type=user_type, default_clinic_id=practice.clinic_id,
        clinic_ids=[practice.clinic_id], supervising_therapist_id=supervising_therapist_id,
        catalog=ident.catalog, mailer=mailer, now=datetime.now(UTC),
    )
    set_password(ident.uow(), token=mailer.token_for(added.view.user.email), password=PASSWORD,
                 hashing=ident.hashing, now=datetime.now(UTC))
    practice.users[name] = added.view.user.id
    return added.view.user.id


@pytest.fixture
def practice(ident) -> Practice:
    """Harbour Physio: its manager (owner) and one person of each kind of staff."""
    practice = new_practice(ident, "Harbour Physio", "owner@harbourphysio.example")
    for name, user_type in [("therapist", "PT"), ("assistant", "PTA"),
                            ("clerical", "Front Office"), ("student", "SPT")]:
        add_person(ident, practice, name, user_type, f"{name}@harbourphysio.example")
    return practice


@pytest.fixture
def other_practice(ident) -> Practice:
    return new_practice(ident, "Bayside Rehab", "owner@bayside.example")


def login(client, email: str, password: str = PASSWORD, **extra) -> dict:
    """Sign in as a person would, enrolling or answering the second factor when asked."""
    response = sign_in_through(client, {"email": email, "password": password, **extra})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture(scope="session")
def hashing():
    return PasswordHashing()


@pytest.fixture(name="login")
def login_fixture(client):
    return lambda email, password=PASSWORD, **extra: login(client, email, password, **extra)


@pytest.fixture(name="new_practice")
def new_practice_fixture(ident):
    return lambda name, owner_email, seats=10: new_practice(ident, name, owner_email, seats)


@pytest.fixture(name="add_person")
def add_person_fixture(ident):
    return lambda practice, name, user_type, email, **extra: add_person(
        ident, practice, name, user_type, email, **extra)
