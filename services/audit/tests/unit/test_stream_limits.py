"""How many streams may be open: places per caller, and threads a worker keeps for others."""

from datetime import UTC, datetime, timedelta

from audit.domain.stream_limits import StreamAllowance, streams_per_worker

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FIVE = StreamAllowance(per_caller=5, heartbeat=timedelta(seconds=15))


def test_a_caller_has_as_many_places_as_the_limit():
    assert list(FIVE.slots) == [0, 1, 2, 3, 4]


def test_a_place_renewed_within_three_heartbeats_is_held():
    assert not FIVE.is_stale(NOW - timedelta(seconds=44), NOW)


def test_a_place_not_renewed_for_three_heartbeats_belongs_to_a_dead_process():
    assert FIVE.is_stale(NOW - timedelta(seconds=46), NOW)


def test_a_closed_stream_frees_its_place_within_two_heartbeats():
    assert FIVE.freed_within == timedelta(seconds=30)


def test_a_worker_keeps_its_reserved_threads_from_streams():
    assert streams_per_worker(threads=100, reserved=10) == 90


def test_a_worker_with_few_threads_still_serves_one_stream():
    assert streams_per_worker(threads=8, reserved=10) == 1
