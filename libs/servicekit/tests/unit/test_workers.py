"""A worker's loop: pass after pass, longer pauses after failures, back to normal after one
good pass, and it stops when told."""

import threading

from servicekit.workers import pause_after_failures, poll_until_stopped


def test_pauses_double_after_each_failure_up_to_the_ceiling():
    assert [pause_after_failures(0.5, n, 30.0) for n in range(8)] == [
        0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_the_loop_outlives_failing_passes_and_stops_when_told():
    stop, outcomes = threading.Event(), iter([OSError("db gone"), OSError("db gone"), None])
    passes = []

    def one_pass() -> None:
        passes.append(1)
        outcome = next(outcomes, None)
        if outcome is not None:
            raise outcome
        stop.set()

    poll_until_stopped(one_pass, stop, poll_seconds=0.001, what="test")
    assert len(passes) == 3  # two failures, then a good pass that asked to stop
