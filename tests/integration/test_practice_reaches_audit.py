"""The first real flow: a practice created in identity shows up in audit's record."""

import json
import threading
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from audit.cli import main as audit_cli
from audit.spec import SPEC as AUDIT
from identity.adapters.tables import users
from identity.service_layer.practices import InvalidPractice, create_practice
from identity.spec import SPEC as IDENTITY
from servicekit.migrations import upgrade
from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture(params=["rabbitmq+postgres", "filesystem+sqlite"])
def platform(request, tmp_path, monkeypatch):
    """Identity and audit runtimes on one backend, migrated, with the env the CLIs read."""
    env = {"LOCAL_DIR": str(tmp_path)}
    if request.param == "rabbitmq+postgres":
        make_database = request.getfixturevalue("make_database")
        env |= {"IDENTITY_DATABASE_URL": make_database(), "AUDIT_DATABASE_URL": make_database(),
                "BUS_URL": request.getfixturevalue("private_amqp_url")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    identity, audit = IDENTITY.runtime(), AUDIT.runtime()
    for spec, runtime in ((IDENTITY, identity), (AUDIT, audit)):
        upgrade(spec.migrations_dir, runtime.config.database_url)
    yield identity, audit
    identity.close()
    audit.close()


def stored_events(runner: CliRunner) -> list[dict]:
    result = runner.invoke(audit_cli, ["events", "--tail", "50"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def test_created_practice_and_owner_appear_in_audit_events(platform):
    identity, audit = platform
    consumer = audit.consumer(AUDIT.subscriptions[0])
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        wait_for(consumer.ready.is_set, timeout=10)
        created = create_practice(identity.uow(), name="Sunrise Physical Therapy",
                                  owner_email="Owner@Sunrise.example")
        assert identity.relay().relay_pending() == 2
        runner = CliRunner()
        events = wait_for(lambda: len(stored_events(runner)) == 2 and stored_events(runner))
    finally:
        consumer.should_stop = True
        thread.join(timeout=15)
    # The local filesystem transport does not keep order within a millisecond; nothing may rely
    # on delivery order.
    assert sorted(e["type"] for e in events) == ["identity.practice.created",
                                                 "identity.user.created"]
    assert {e["org_id"] for e in events} == {created.practice_id}


@pytest.mark.parametrize("name, email", [("", "owner@x.example"), ("Clinic", "not-an-email")])
def test_invalid_practice_leaves_no_rows_and_no_events(platform, name, email):
    identity, _ = platform
    with pytest.raises(InvalidPractice):
        create_practice(identity.uow(), name=name, owner_email=email)
    assert identity.relay().unsent_count() == 0


def test_an_owner_email_is_unique_per_practice_case_insensitively(platform):
    identity, _ = platform
    created = create_practice(identity.uow(), name="A", owner_email="dup@x.example")
    with pytest.raises(Exception), identity.uow() as uow:  # noqa: B017 - the unique constraint
        uow.session.execute(users.insert().values(
            id="u2", org_id=created.practice_id, email="DUP@x.example",
            email_normalized="dup@x.example", full_name="x", user_type="PT", kind="staff",
            status="active", created_at=datetime.now(UTC)))
        uow.commit()
    with identity.uow() as uow:
        same_email = select(func.count()).where(users.c.email_normalized == "dup@x.example")
        assert uow.session.execute(same_email).scalar_one() == 1
