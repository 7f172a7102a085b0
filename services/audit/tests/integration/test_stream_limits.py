"""Open streams are bounded: a caller holds at most AUDIT_STREAM_PER_CALLER of them (429
too_many_streams), and a worker keeps threads that streams never take (503 streams_busy)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from audit_harness import bearer, new_id, practice_created, token_verifier

from audit.adapters.stream_places import open_streams
from audit.adapters.tables import stream_connections
from audit.app import create_app

pytestmark = pytest.mark.integration


@pytest.fixture
def org(feed) -> str:
    org = new_id()
    feed(practice_created(org, new_id()))
    return org


def streams_app(audit, **settings):
    config = replace(audit.config, **{"stream_poll_seconds": 0.02,
                                      "stream_heartbeat_seconds": 0.1, **settings})
    return create_app(config, verifier=token_verifier()).test_client()


def open_stream(client, headers):
    return client.get("/stream?max_seconds=30", headers=headers, buffered=False)


def test_a_callers_sixth_stream_is_refused_with_a_clear_429(audit, org):
    client = streams_app(audit)
    me = bearer(org, user_id="siem-1")
    held = [open_stream(client, me) for _ in range(5)]
    try:
        assert [r.status_code for r in held] == [200] * 5
        refused = open_stream(client, me)
        assert refused.status_code == 429
        error = refused.get_json()["error"]
        assert error["code"] == "too_many_streams"
        assert "Close one of them" in error["message"]
        assert error["details"]["limit"] == 5
        assert int(refused.headers["Retry-After"]) >= 1
        # Someone else's streams are not counted against them.
        other = open_stream(client, bearer(org, user_id="siem-2"))
        assert other.status_code == 200
        other.close()
    finally:
        for response in held:
            response.close()


def test_closing_a_stream_gives_its_place_back(audit, org):
    client = streams_app(audit, stream_per_caller=2)
    me = bearer(org, user_id="siem-3")
    first, second = open_stream(client, me), open_stream(client, me)
    assert open_stream(client, me).status_code == 429
    first.close()
    third = open_stream(client, me)
    assert third.status_code == 200
    for response in (second, third):
        response.close()
    with audit.uow() as unit:
        assert open_streams(unit.session, "staff:siem-3") == 0


def test_a_stream_that_ends_by_itself_frees_its_place(audit, org):
    client = streams_app(audit, stream_per_caller=1)
    me = bearer(org, user_id="siem-4")
    for _ in range(3):  # each one runs to its end before the next opens
        response = client.get("/stream?max_seconds=0.1", headers=me)
        assert response.status_code == 200
        response.get_data()


def test_places_left_by_a_dead_process_are_taken_over(audit, org):
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    with audit.uow() as unit:
        unit.session.execute(stream_connections.insert(), [
            {"caller": "staff:siem-5", "slot": slot, "connection_id": new_id(),
             "opened_at": long_ago, "seen_at": long_ago} for slot in range(5)])
        unit.commit()
    response = open_stream(streams_app(audit), bearer(org, user_id="siem-5"))
    assert response.status_code == 200
    response.close()


def test_an_open_stream_renews_its_place_at_each_heartbeat(audit, org):
    client = streams_app(audit, stream_heartbeat_seconds=0.05)
    response = client.get("/stream?max_seconds=5", headers=bearer(org, user_id="siem-6"),
                          buffered=False)
    chunks = iter(response.response)
    next(chunks)
    with audit.uow() as unit:
        [opened] = unit.session.execute(stream_connections.select().where(
            stream_connections.c.caller == "staff:siem-6")).mappings().all()
    for _ in range(3):
        next(chunks)  # heartbeats
    with audit.uow() as unit:
        [renewed] = unit.session.execute(stream_connections.select().where(
            stream_connections.c.caller == "staff:siem-6")).mappings().all()
    response.close()
    assert renewed["seen_at"] > opened["seen_at"]


def test_a_worker_keeps_threads_that_streams_never_take(audit, org):
    client = streams_app(audit, api_threads=4, stream_reserved_threads=2)
    held = [open_stream(client, bearer(org, user_id=f"reader-{n}")) for n in range(2)]
    try:
        busy = open_stream(client, bearer(org, user_id="reader-3"))
        assert busy.status_code == 503
        assert busy.get_json()["error"]["code"] == "streams_busy"
        assert busy.headers["Retry-After"] == "2"
        assert client.get("/healthz").status_code == 200
        assert client.get("/events", headers=bearer(org)).status_code == 200
    finally:
        for response in held:
            response.close()
    again = open_stream(client, bearer(org, user_id="reader-3"))
    assert again.status_code == 200
    again.close()
