"""The token-state projection: identity's revocations, kept in any order, at most once."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import MetaData, create_engine
from sqlalchemy.orm import Session

from servicekit.auth import Principal
from servicekit.messaging.envelope import Event, Subject
from servicekit.token_state import (
    SESSION_ENDED,
    TOKEN_OUTDATED,
    ProjectedTokenState,
    record_token_state,
    says_anything_about_tokens,
    token_state_tables,
)


def event(type_: str, user_id: str, **data) -> Event:
    return Event(id=str(uuid.uuid4()), type=type_, version=1, occurred_at=datetime.now(UTC),
                 producer="identity", org_id="o-1", actor=None, subject=Subject("user", user_id),
                 patient_id=None, correlation_id=None, data=data)


@pytest.fixture
def projection():
    metadata = MetaData()
    tables = token_state_tables(metadata)
    engine = create_engine("sqlite://")
    metadata.create_all(engine)

    def feed(*events: Event) -> None:
        with Session(engine) as session:
            for e in events:
                record_token_state(tables, session, e)
            session.commit()

    return feed, ProjectedTokenState(tables, engine)


def caller(pv: int, sid: str | None = None) -> Principal:
    return Principal(user_id="u-1", org_id="o-1", kind="staff", permission_version=pv,
                     session_id=sid)


def test_a_token_older_than_the_announced_version_is_refused(projection):
    feed, state = projection
    feed(event("identity.user.permissions_changed", "u-1", permission_version=3))
    assert state.refusal(caller(2)) == TOKEN_OUTDATED
    assert state.refusal(caller(3)) is None


def test_versions_only_go_up_whatever_order_the_events_arrive_in(projection):
    feed, state = projection
    feed(event("identity.user.password_set", "u-1", permission_version=4),
         event("identity.user.permissions_changed", "u-1", permission_version=2))
    assert state.refusal(caller(3)) == TOKEN_OUTDATED


@pytest.mark.parametrize("type_", ["identity.session.signed_out", "identity.session.revoked"])
def test_an_ended_session_refuses_its_tokens_only(projection, type_):
    feed, state = projection
    feed(event(type_, "u-1", session_id="s-1"), event(type_, "u-1", session_id="s-1"))
    assert state.refusal(caller(1, "s-1")) == SESSION_ENDED
    assert state.refusal(caller(1, "s-2")) is None


def test_a_sign_in_does_not_end_its_session(projection):
    feed, state = projection
    feed(event("identity.session.signed_in", "u-1", session_id="s-1"))
    assert state.refusal(caller(1, "s-1")) is None


def test_an_unknown_user_is_not_refused(projection):
    _, state = projection
    assert state.refusal(caller(1, "s-9")) is None


def test_on_the_local_sqlite_engine_the_check_reads_beside_a_writer(tmp_path):
    """Every request reads the token state; on the local SQLite engine it must not queue for
    the write lock a relay or another request holds (it sees what was committed before)."""
    from sqlalchemy import event as sa_event
    from sqlalchemy import insert

    from servicekit.db import make_engine

    metadata = MetaData()
    tables = token_state_tables(metadata)
    engine = make_engine(f"sqlite:///{tmp_path / 'state.db'}")

    @sa_event.listens_for(engine, "connect")
    def _fail_fast(dbapi_connection, _record):  # a reader that queued would fail, not wait 30 s
        dbapi_connection.execute("PRAGMA busy_timeout=200")

    metadata.create_all(engine)
    state = ProjectedTokenState(tables, engine)
    with Session(engine) as session:
        record_token_state(tables, session, event("identity.user.permissions_changed", "u-1",
                                                  permission_version=3))
        session.commit()

    with engine.connect() as writer:
        writer.execute(insert(tables.ended_sessions).values(
            session_id="s-1", user_id="u-1", ended_at=datetime.now(UTC)))
        # The writer holds SQLite's write lock (BEGIN IMMEDIATE) and has not committed.
        assert state.refusal(caller(2)) == TOKEN_OUTDATED
        assert state.refusal(caller(3, "s-1")) is None
        writer.commit()
    assert state.refusal(caller(3, "s-1")) == SESSION_ENDED


@pytest.mark.parametrize(("made", "matters"), [
    (event("identity.user.viewed", "u-1", fields=["email"]), False),
    (event("identity.user.updated", "u-1", name="x"), False),
    (event("identity.user.updated", "u-1", permission_version=3), True),
    (event("identity.user.updated", "u-1", permission_version=True), False),
    (event("identity.session.signed_out", "u-1", session_id="s-1"), True),
    (event("identity.session.signed_in", "u-1", session_id="s-1"), False),
])
def test_only_events_that_raise_a_version_or_end_a_session_say_anything_about_tokens(
    made, matters
):
    assert says_anything_about_tokens(made) is matters
