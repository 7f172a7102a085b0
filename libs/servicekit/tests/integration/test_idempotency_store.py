"""Idempotency keys: claimed before the work, replayed once answered, freed when the work
never committed, taken over after the lease by a retry, and a taken-over attempt's work
rolled back instead of committed twice."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import MetaData
from sqlalchemy.orm import Session

from servicekit.db import make_engine
from servicekit.idempotency import (
    KEPT_FOR,
    LEASE,
    Answer,
    AnswerLost,
    Claimed,
    ClaimTakenOver,
    IdempotencyKeys,
    InFlight,
    Replay,
    Reused,
    idempotency_table,
)

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["postgresql", "sqlite"])
def keys(request, tmp_path):
    url = (request.getfixturevalue("make_database")() if request.param == "postgresql"
           else f"sqlite:///{tmp_path / 'keys.db'}")
    metadata = MetaData()
    table = idempotency_table(metadata)
    engine = make_engine(url)
    metadata.create_all(engine)
    yield IdempotencyKeys(table, engine)
    engine.dispose()


def test_the_first_claim_does_the_work_and_a_duplicate_waits_for_its_answer(keys):
    held = keys.claim("scope", "k1", "body", NOW)
    assert isinstance(held, Claimed)
    assert isinstance(keys.claim("scope", "k1", "body", NOW), InFlight)
    assert isinstance(keys.claim("scope", "k1", "other body", NOW), Reused)
    assert isinstance(keys.claim("another caller", "k1", "body", NOW), Claimed)

    keys.answer(held, Answer(201, {"Location": "/x/1"}, b'{"id": 1}'))

    replay = keys.claim("scope", "k1", "body", NOW)
    assert isinstance(replay, Replay)
    assert replay.answer == Answer(201, {"Location": "/x/1"}, b'{"id": 1}')


def test_a_released_key_is_free_for_a_retry(keys):
    keys.release(keys.claim("scope", "k2", "body", NOW))
    assert isinstance(keys.claim("scope", "k2", "body", NOW), Claimed)


def test_a_dead_attempt_is_taken_over_and_its_late_work_cannot_commit(keys):
    dead = keys.claim("scope", "k3", "body", NOW)
    later = NOW + LEASE + timedelta(seconds=1)
    retry = keys.claim("scope", "k3", "body", later)
    assert isinstance(retry, Claimed) and retry.claim != dead.claim

    with keys.engine.begin() as conn, pytest.raises(ClaimTakenOver):
        keys.mark_committed(Session(bind=conn), dead, later)


def test_committed_work_whose_answer_was_lost_is_never_done_again(keys):
    held = keys.claim("scope", "k4", "body", NOW)
    with Session(keys.engine) as session:
        keys.mark_committed(session, held, NOW)
        session.commit()
    assert isinstance(keys.claim("scope", "k4", "body", NOW), InFlight)
    assert isinstance(keys.claim("scope", "k4", "body", NOW + LEASE * 2), AnswerLost)


def test_keys_older_than_a_day_are_purged_as_new_ones_are_claimed(keys):
    keys.answer(keys.claim("scope", "k5", "body", NOW), Answer(201, {}, b"{}"))
    later = NOW + KEPT_FOR + timedelta(minutes=1)
    keys.claim("scope", "k6", "body", later)
    assert isinstance(keys.claim("scope", "k5", "another body", later), Claimed)
