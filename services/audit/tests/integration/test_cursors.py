"""A cursor that is malformed, oversized or tampered with is refused, never a 500:
GET /events?cursor= (400 invalid_cursor, as every list's), GET /stream?after= and the
stream's Last-Event-ID header (422)."""

from __future__ import annotations

import pytest
from audit_harness import access, new_id, practice_created

from servicekit.web.schemas import MAX_STORED_INT

pytestmark = pytest.mark.integration

BAD_POSITIONS = [
    str(MAX_STORED_INT + 1),
    "9" * 40,
    "9" * 5000,  # past Python's own limit on digits int() reads
    "-1",
    "abc",
    "1e3",
    "12.5",
    "²",
    "",
]


@pytest.fixture
def practice(feed):
    org = new_id()
    feed(practice_created(org, new_id()), access("notes.note.viewed", org, new_id(), new_id()))
    return org


def refused(response) -> str:
    assert response.status_code == 422, response.get_data(as_text=True)
    return response.json["error"]["code"]


@pytest.mark.parametrize("cursor", BAD_POSITIONS)
def test_a_bad_events_cursor_is_refused_with_400(app_client, practice, cursor):
    client, bearer = app_client
    response = client.get("/events", query_string={"cursor": cursor},
                          headers=bearer(practice))
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"]["code"] == "invalid_cursor"
    assert response.json["error"]["details"]["field"] == "cursor"


@pytest.mark.parametrize("after", BAD_POSITIONS)
def test_a_bad_stream_position_is_refused_with_422(app_client, practice, after):
    client, bearer = app_client
    response = client.get("/stream", query_string={"after": after, "max_seconds": 0.2},
                          headers=bearer(practice))
    assert refused(response) == "invalid_request"


@pytest.mark.parametrize("header", [p for p in BAD_POSITIONS if p])
def test_a_bad_last_event_id_is_refused_with_422(app_client, practice, header):
    client, bearer = app_client
    response = client.get("/stream?max_seconds=0.2",
                          headers={**bearer(practice), "Last-Event-ID": header})
    assert refused(response) == "bad_last_event_id"
    assert "resume with the id" in response.json["error"]["message"]


def test_the_largest_stored_position_is_a_valid_cursor_past_every_record(app_client, practice):
    client, bearer = app_client
    page = client.get(f"/events?cursor={MAX_STORED_INT}", headers=bearer(practice))
    assert page.status_code == 200
    assert page.json == {"events": [], "next_cursor": None}


def test_a_cursor_from_another_practice_reveals_nothing_of_it(app_client, feed, practice):
    client, bearer = app_client
    other = new_id()
    feed(practice_created(other, new_id()), access("notes.note.viewed", other, new_id(),
                                                   new_id()))
    theirs = client.get("/events", headers=bearer(other)).json["events"]
    ours = client.get("/events", query_string={"cursor": theirs[0]["seq"] - 1},
                      headers=bearer(practice)).json["events"]
    assert {e["event"]["org_id"] for e in ours} <= {practice}
