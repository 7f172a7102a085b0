"""The loop every background worker runs: a pass, a pause, until told to stop.

A worker (share mail retries, billing exports, alert pushes, checkpoints) does its work in
passes whose steps each commit, so nothing is ever half-done. A pass that fails (the database
or an outside system gone) makes the worker wait longer each time, then try again.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from servicekit.worker_status import serve_status_if_configured

if TYPE_CHECKING:
    from servicekit.runtime import Runtime

log = logging.getLogger("servicekit.workers")

MAX_PAUSE_SECONDS = 30.0


def pause_after_failures(poll_seconds: float, failures: int,
                         max_pause: float = MAX_PAUSE_SECONDS) -> float:
    """No failure: the poll interval; then doubling, at most ``max_pause``."""
    if failures == 0:
        return poll_seconds
    return min(max_pause, poll_seconds * 2.0 ** min(failures, 8))


def poll_until_stopped(one_pass: Callable[[], None], stop: threading.Event, *,
                       poll_seconds: float, what: str,
                       max_pause: float = MAX_PAUSE_SECONDS) -> None:
    """Run ``one_pass`` every ``poll_seconds`` until ``stop``; outlive outages."""
    failures = 0
    while not stop.is_set():
        try:
            one_pass()
            failures = 0
        except Exception as exc:  # noqa: BLE001 - whatever failed, the next pass tries again
            failures += 1
            log.warning("%s paused; will try again", what, extra={
                "error": str(exc) if getattr(exc, "safe_to_log", False) else type(exc).__name__,
                "retry_in_seconds": pause_after_failures(poll_seconds, failures, max_pause)})
        stop.wait(pause_after_failures(poll_seconds, failures, max_pause))


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT: the pass in hand finishes, then the worker exits."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def run_worker(runtime: Runtime, loop: Callable[[threading.Event], None]) -> None:
    """Serve the worker's status (METRICS_PORT), then run ``loop`` until a signal stops it."""
    serve_status_if_configured(runtime, needs_bus=False)
    loop(stop_on_signals())
