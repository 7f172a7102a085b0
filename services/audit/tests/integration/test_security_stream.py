"""GET /stream: SSE and NDJSON, resumable, filtered, scoped to the caller's practice."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from audit_harness import access, bearer, new_id, practice_created, token_verifier, user_created
from sqlalchemy import select

from audit.adapters.tables import messaging
from audit.app import create_app
from audit.domain.stream import StreamFilter
from audit.service_layer.chain import partition_of
from audit.service_layer.queries import Scope
from audit.service_layer.record import record_event
from audit.service_layer.stream import read_stream
from servicekit.messaging.envelope import decode_event

pytestmark = pytest.mark.integration
VENDOR_DOMAIN = "clinicplatform.example"


@pytest.fixture
def stream_client(audit):
    def make(**overrides):
        settings = {"stream_poll_seconds": 0.02, "stream_heartbeat_seconds": 0.1,
                    "stream_max_seconds": 3.0, **overrides}
        return create_app(replace(audit.config, **settings),
                          verifier=token_verifier()).test_client()
    return make


def relay_alerts_into_the_record(audit, feed):
    """What relay + consumer do in production: audit.alert.raised comes back as a record."""
    outbox = messaging.outbox
    with audit.engine.connect() as conn:
        payloads = conn.execute(select(outbox.c.payload).where(
            outbox.c.event_type == "audit.alert.raised")).scalars().all()
    feed(*(decode_event(p) for p in payloads))


@pytest.fixture
def two_practices(audit, feed):
    made = {}
    for name in ("a", "b"):
        org, owner, user = new_id(), new_id(), new_id()
        feed(practice_created(org, owner),
             user_created(org, owner, f"owner@{name}.example", role="owner"),
             access("notes.note.viewed", org, user, new_id()),
             access("notes.patient.viewed", org, user, new_id()),
             user_created(org, new_id(), f"sam@{VENDOR_DOMAIN}", kind="vendor"))  # high alert
        made[name] = org
    relay_alerts_into_the_record(audit, feed)
    return made


def sse_events(body: str) -> list[dict]:
    """Parse a text/event-stream body into its blocks (comments kept as "comment")."""
    blocks = []
    for raw in body.split("\n\n"):
        block: dict = {}
        for line in raw.split("\n"):
            if not line:
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "":
                block.setdefault("comment", []).append(value)
            else:
                block[name] = value
        if block:
            blocks.append(block)
    return blocks


def items_of(body: str) -> list[dict]:
    return [json.loads(b["data"]) for b in sse_events(body) if "data" in b]


def get_stream(client, query: str, headers: dict, seconds: float = 0.3):
    response = client.get(f"/stream?max_seconds={seconds}&{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def test_sse_delivers_the_practices_records_and_alerts_from_a_position(
    stream_client, two_practices
):
    a = two_practices["a"]
    response = get_stream(stream_client(), "after=0", bearer(a))
    assert response.mimetype == "text/event-stream"
    assert response.headers["X-Accel-Buffering"] == "no"
    blocks = [b for b in sse_events(response.get_data(as_text=True)) if "data" in b]
    items = [json.loads(b["data"]) for b in blocks]
    assert {i["org_id"] for i in items} == {a}
    assert [i["type"] for i in items] == [
        "identity.practice.created", "identity.user.created", "notes.note.viewed",
        "notes.patient.viewed", "identity.user.created", "audit.alert.raised"]
    assert [b["id"] for b in blocks] == [str(i["position"]) for i in items]
    positions = [i["position"] for i in items]
    assert positions == sorted(positions)
    [alert] = [b for b in blocks if b["event"] == "alert"]
    details = json.loads(alert["data"])["alert"]
    assert (details["reason"], details["severity"], details["status"]) == (
        "vendor_profile_without_grant", "high", "open")
    assert details["access_report"] == f"/reports/access?user_id={details['profile_id']}"


def test_a_consumer_that_reconnects_with_last_event_id_misses_nothing(
    stream_client, two_practices, feed
):
    a = two_practices["a"]
    client = stream_client()
    first = items_of(get_stream(client, "after=0", bearer(a)).get_data(as_text=True))
    resume_at = first[2]["position"]
    later = feed(access("notes.note.edited", a, new_id(), new_id()))
    # EventSource keeps its first URL (after=0) and sends the newer cursor as a header.
    again = items_of(get_stream(client, "after=0", {**bearer(a), "Last-Event-ID":
                                                   str(resume_at)}).get_data(as_text=True))
    assert [i["event"]["id"] for i in again] == [
        *(i["event"]["id"] for i in first[3:]), later[0].id]
    by_query = items_of(get_stream(client, f"after={resume_at}", bearer(a)).get_data(
        as_text=True))
    assert by_query == again


def test_a_record_written_while_connected_arrives_on_the_open_stream(
    stream_client, two_practices, feed
):
    a = two_practices["a"]
    response = stream_client().get("/stream?max_seconds=5", headers=bearer(a),
                                    buffered=False)
    chunks = response.response
    opening = next(iter(chunks))
    assert opening.startswith(b"retry: 2000\nid: ")
    [event] = feed(access("notes.document.downloaded", a, new_id(), new_id()))
    seen = []
    for chunk in chunks:
        seen.extend(items_of(chunk.decode()))
        if any(i["event"]["id"] == event.id for i in seen):
            break
    response.close()
    # The practice's earlier records were younger than the gap grace, so they came too.
    assert seen[-1]["event"]["id"] == event.id


def test_without_a_cursor_the_stream_starts_at_the_newest_settled_record(
    stream_client, two_practices, feed
):
    a = two_practices["a"]
    response = stream_client(stream_gap_grace_seconds=0).get(
        "/stream?max_seconds=5", headers=bearer(a), buffered=False)
    chunks = iter(response.response)
    next(chunks)
    [event] = feed(access("notes.note.finalized", a, new_id(), new_id()))
    seen = []
    for chunk in chunks:
        seen.extend(items_of(chunk.decode()))
        if seen:
            break
    response.close()
    assert [i["event"]["id"] for i in seen] == [event.id]


def test_filters_by_type_prefix_and_alert_severity(stream_client, two_practices):
    a = two_practices["a"]
    client = stream_client()
    notes = items_of(get_stream(client, "after=0&type=notes.", bearer(a)).get_data(
        as_text=True))
    assert [i["type"] for i in notes] == ["notes.note.viewed", "notes.patient.viewed"]
    several = items_of(get_stream(client, "after=0&type=notes.note.,audit.", bearer(a))
                       .get_data(as_text=True))
    assert [i["type"] for i in several] == ["notes.note.viewed", "audit.alert.raised"]
    high = items_of(get_stream(client, "after=0&severity=high,critical", bearer(a)).get_data(
        as_text=True))
    assert [(i["kind"], i["alert"]["severity"]) for i in high] == [("alert", "high")]
    assert items_of(get_stream(client, "after=0&severity=low", bearer(a)).get_data(
        as_text=True)) == []
    bad = client.get("/stream?severity=urgent", headers=bearer(a))
    assert bad.status_code == 422


def test_ndjson_when_asked_with_heartbeats_and_a_closing_position(stream_client,
                                                                    two_practices):
    a = two_practices["a"]
    response = get_stream(stream_client(), "after=0&type=notes.",
                          {**bearer(a), "Accept": "application/x-ndjson"}, seconds=0.5)
    assert response.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    kinds = [line["kind"] for line in lines]
    assert kinds[0] == "heartbeat" and kinds[-1] == "end"
    assert kinds.count("record") == 2 and "heartbeat" in kinds[1:-1]
    # The closing position is past the other practice's records too: resume from there.
    assert lines[-1]["position"] >= max(line.get("position") or 0 for line in lines)


def test_sse_heartbeats_are_comments_that_carry_the_scan_position(stream_client,
                                                                 two_practices):
    a = two_practices["a"]
    body = get_stream(stream_client(), "after=0&type=nothing.", bearer(a),
                      seconds=0.5).get_data(as_text=True)
    blocks = sse_events(body)
    beats = [b for b in blocks if b.get("comment") == ["heartbeat"]]
    assert beats and all("data" not in b for b in blocks)
    # Nothing matched, yet the cursor moved past every stored record.
    assert int(blocks[-1]["id"]) >= 10


def test_another_practice_is_refused_and_vendor_security_sees_all(stream_client,
                                                                  two_practices):
    a, b = two_practices["a"], two_practices["b"]
    client = stream_client()
    assert client.get(f"/stream?org_id={b}", headers=bearer(a)).status_code == 403
    vendor = bearer(None, kind="vendor")
    everything = items_of(get_stream(client, "after=0", vendor).get_data(as_text=True))
    assert {i["org_id"] for i in everything} == {a, b}
    narrowed = items_of(get_stream(client, f"after=0&org_id={b}", vendor).get_data(
        as_text=True))
    assert {i["org_id"] for i in narrowed} == {b} and len(narrowed) == 6
    staff_of_vendor = client.get("/stream", headers=bearer(None, kind="vendor", perms=()))
    assert staff_of_vendor.status_code == 403


def test_a_malformed_last_event_id_is_refused(stream_client, two_practices):
    response = stream_client().get("/stream", headers={**bearer(two_practices["a"]),
                                                       "Last-Event-ID": "abc"})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "bad_last_event_id"


def test_a_record_committed_late_is_not_skipped(audit, settings, database_url):
    """Two consumer replicas: position n commits after n+1; the stream waits for n."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: positions commit in order")
    org_slow = new_id()
    org_fast = next(o for o in (new_id() for _ in range(100))
                    if partition_of({"org_id": o}, 4) != partition_of({"org_id": org_slow}, 4))
    slow, fast = audit.uow(), audit.uow()
    with slow, fast:
        record_event(slow, practice_created(org_slow, new_id()), settings)
        record_event(fast, practice_created(org_fast, new_id()), settings)
        fast.commit()
        everyone, wanted = Scope(None, all_practices=True), StreamFilter()
        now, grace = datetime.now(UTC), timedelta(seconds=10)
        with audit.uow() as reader:
            early = read_stream(reader.session, everyone, wanted, 0, now, grace)
        assert early.items == [] and early.position == 0
        slow.commit()
    with audit.uow() as reader:
        late = read_stream(reader.session, everyone, wanted, 0, datetime.now(UTC), grace)
    assert [i["org_id"] for i in late.items] == [org_slow, org_fast]
