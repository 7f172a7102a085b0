from datetime import UTC, datetime, timedelta

import pytest

from audit.domain.stream import StreamFilter, safe_horizon

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
GRACE = timedelta(seconds=10)


def received(seconds_ago: float) -> datetime:
    return NOW - timedelta(seconds=seconds_ago)


def test_contiguous_positions_are_all_safe():
    assert safe_horizon(4, [(5, received(0)), (6, received(0))], NOW, GRACE) == 6


def test_a_fresh_hole_stops_the_stream_before_it():
    # 6 may belong to a transaction still writing: 7 must wait for it.
    assert safe_horizon(4, [(5, received(1)), (7, received(1))], NOW, GRACE) == 5


def test_a_hole_at_the_cursor_delivers_nothing_yet():
    assert safe_horizon(4, [(6, received(1))], NOW, GRACE) == 4


def test_a_hole_older_than_the_grace_is_a_rolled_back_position_and_is_passed():
    assert safe_horizon(4, [(5, received(30)), (7, received(11)), (8, received(0))],
                        NOW, GRACE) == 8


def test_nothing_new_leaves_the_cursor_where_it_is():
    assert safe_horizon(9, [], NOW, GRACE) == 9


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        safe_horizon(0, [(2, datetime(2026, 1, 1))], NOW, GRACE)


def test_type_prefixes_match_any_of_them():
    wanted = StreamFilter(("notes.note.", "audit."))
    assert wanted.wants("notes.note.viewed", None)
    assert wanted.wants("audit.alert.raised", "high")
    assert not wanted.wants("notes.patient.viewed", None)


def test_no_filter_wants_everything():
    assert StreamFilter().wants("identity.user.created", None)


def test_a_severity_asks_for_alerts_of_that_severity_only():
    wanted = StreamFilter(severities=frozenset({"high", "critical"}))
    assert wanted.wants("audit.alert.raised", "critical")
    assert not wanted.wants("audit.alert.raised", "medium")
    assert not wanted.wants("identity.user.created", None)
