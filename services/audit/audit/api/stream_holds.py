"""What an open stream holds: one of its caller's places and one of its worker's threads.

A stream beyond its caller's places is refused with 429 ``too_many_streams``; one beyond the
worker's stream threads with 503 ``streams_busy`` (another worker or replica may have room),
so the worker's reserved threads stay free for health checks and every other route.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from datetime import UTC, datetime

from audit.bootstrap import Audit
from audit.service_layer.stream_places import (
    StreamPlace,
    hold_place,
    release_place,
    renew_place,
)
from servicekit.auth import Principal
from servicekit.runtime import Runtime
from servicekit.web.errors import TooManyRequests

log = logging.getLogger("audit.stream")


class StreamHold:
    """Renewed at the stream's heartbeats; released once, however the stream ends."""

    def __init__(self, runtime: Runtime, place: StreamPlace, threads: threading.Semaphore):
        self._runtime, self.place, self._threads = runtime, place, threads
        self._released = False
        self._lock = threading.Lock()

    def renew(self) -> bool:
        return renew_place(self._runtime.uow(), self.place, datetime.now(UTC))

    def release(self) -> None:
        with self._lock:
            if self._released:
                return
            self._released = True
        try:
            release_place(self._runtime.uow(), self.place)
        except Exception:  # noqa: BLE001 - the place goes stale and is taken over later
            log.exception("could not free a stream's place; it frees itself when stale")
        finally:
            self._threads.release()


def hold_stream(principal: Principal, app: Audit) -> StreamHold:
    """Take a stream thread of this worker and a place of the caller, or refuse."""
    threads = app.stream_threads
    if not threads.acquire(blocking=False):
        raise TooManyRequests(
            "The audit API is serving as many streams as it can right now; reconnect in a "
            "few seconds (another instance may have room).", code="streams_busy", status=503,
            retry_after=2)
    try:
        place = hold_place(app.uow(), caller_key(principal), app.streams, app.now())
    except BaseException:
        threads.release()  # no place (429 too_many_streams), or the database failed
        raise
    return StreamHold(app.runtime, place, threads)


def caller_key(principal: Principal) -> str:
    """One caller: a person or a service account, whatever practice or session."""
    key = f"{principal.kind}:{principal.user_id}"
    return key if len(key) <= 200 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()
