"""create_practice and the sign-in use case on a real SQLite database (fast)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from identity.adapters.access_tokens import AccessTokenIssuer
from identity.adapters.second_factors import SecretSealer
from identity.adapters.signing_keys import keys_from_pem, new_private_key_pem
from identity.adapters.tables import clinics, messaging, users
from identity.cli import main
from identity.domain.errors import SecondFactorEnrollmentRequired, SignInRefused, SignInThrottled
from identity.domain.permissions import PERMISSIONS
from identity.service_layer.practices import create_practice
from identity.service_layer.sessions import sign_in
from identity.spec import SPEC
from servicekit.migrations import upgrade

pytestmark = pytest.mark.integration


@pytest.fixture
def runtime(sqlite_url, tmp_path):
    upgrade(SPEC.migrations_dir, sqlite_url)
    runtime = SPEC.runtime(SPEC.load_config(local_dir=tmp_path, database_url=sqlite_url))
    yield runtime
    runtime.close()


def test_a_new_practice_gets_a_clinic_an_all_powerful_owner_and_an_automation_profile(
    runtime, catalog, hashing
):
    created = create_practice(runtime.uow(), name="Sunrise PT", owner_email="o@sunrise.example",
                              catalog=catalog, hashing=hashing)
    with runtime.uow() as uow:
        rows = uow.session.execute(select(users)).mappings().all()
        clinic = uow.session.execute(select(clinics)).mappings().one()
    owner = next(r for r in rows if r["id"] == created.owner_id)
    robot = next(r for r in rows if r["id"] == created.automation_profile_id)
    assert clinic["assistants_may_finalize"] is True and owner["default_clinic_id"] == clinic["id"]
    defaults = catalog.default_permissions("PT")
    assert set(owner["granted_permissions"]) | defaults == PERMISSIONS
    assert robot["kind"] == "automation" and robot["email"].endswith("@clinicplatform.example")
    assert created.password_setup_token and owner["password_hash"] is None


def test_the_cli_prints_a_setup_token_and_records_the_domains(tmp_path, sqlite_url, monkeypatch):
    monkeypatch.setenv("IDENTITY_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("LOCAL_DIR", str(tmp_path))
    upgrade(SPEC.migrations_dir, sqlite_url)
    result = CliRunner().invoke(main, ["create-practice", "--name", "Bay PT", "--owner-email",
                                       "o@bay.example", "--seats", "3", "--domain", "bay.example",
                                       "--domain", "baypt.example"])
    assert result.exit_code == 0, result.output
    # The page the gateway serves, and the API path through the gateway, both with the token.
    assert "http://127.0.0.1:8080/app/get-started?token=" in result.output
    assert "POST /api/identity/password/set" in result.output


def test_wrong_passwords_make_the_address_wait_then_the_right_one_gets_in(
    runtime, catalog, hashing
):
    create_practice(runtime.uow(), name="Sunrise PT", owner_email="o@sunrise.example",
                    owner_password="violet lantern orchard", catalog=catalog, hashing=hashing)
    tokens = AccessTokenIssuer(keys_from_pem(new_private_key_pem()), "iss", "aud")
    start = datetime.now(UTC)
    for second in range(5):
        with pytest.raises(SignInRefused):
            sign_in(runtime.uow(), email="o@sunrise.example", password="wrong", practice_id=None,
                    hashing=hashing, tokens=tokens, catalog=catalog,
                    now=start + timedelta(seconds=second), sealer=SecretSealer("test"))
    with pytest.raises(SignInThrottled) as waiting:
        sign_in(runtime.uow(), email="o@sunrise.example", password="violet lantern orchard",
                practice_id=None, hashing=hashing, tokens=tokens, catalog=catalog,
                now=start + timedelta(seconds=10), sealer=SecretSealer("test"))
    assert waiting.value.details["retry_after_seconds"] == 24  # 30 s after the 5th failure
    # The right password gets through; the owner, a User Manager, enrols a second factor next.
    with pytest.raises(SecondFactorEnrollmentRequired) as enrol:
        sign_in(runtime.uow(), email="O@Sunrise.example",
                password="violet lantern orchard", practice_id=None, hashing=hashing,
                tokens=tokens, catalog=catalog, now=start + timedelta(seconds=34),
                sealer=SecretSealer("test"))
    assert enrol.value.details["enrollment_token"]


def test_the_owners_user_created_event_has_the_fields_of_any_added_user(
    runtime, catalog, hashing
):
    created = create_practice(runtime.uow(), name="Sunrise PT", owner_email="o@sunrise.example",
                              catalog=catalog, hashing=hashing)
    with runtime.uow() as uow:
        payloads = uow.session.execute(select(messaging.outbox.c.payload).where(
            messaging.outbox.c.event_type == "identity.user.created")).scalars().all()
    [owner] = [json.loads(p) for p in payloads]
    assert owner["subject"]["id"] == created.owner_id
    assert owner["data"]["supervising_therapist_id"] is None
    assert owner["data"]["permission_version"] == 1
