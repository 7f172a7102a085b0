"""`audit checkpoint-worker`: anchor every pass, verify the whole record now and then.

A failed verification raises a critical `audit.alert.raised` per broken partition and kind;
an unreachable witness or database is waited out with backoff, and logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from audit.domain.integrity import Break, BreakKind
from audit.service_layer.anchoring import Anchorer, raise_chain_alerts
from audit.service_layer.verification import ChainReport
from audit.service_layer.witness import WitnessUnavailable
from servicekit.db import UnitOfWork

log = logging.getLogger("audit.checkpoint_worker")

MAX_PAUSE_SECONDS = 30.0


def verify_and_alert(uow: UnitOfWork, verify: Callable[[], ChainReport]) -> ChainReport:
    """Verify; on any break raise a critical alert for each broken partition."""
    report = verify()
    if not report.intact:
        raise_chain_alerts(uow, [Break(b.partition, b.chain_seq, BreakKind(b.kind), b.reason)
                                 for b in report.breaks])
    return report


def run_checkpoint_worker(
    uow: UnitOfWork, anchorer: Anchorer, clock: Callable[[], datetime],
    stop: threading.Event, *, poll_seconds: float, verify_every: float,
    verify: Callable[[], ChainReport],
) -> None:
    failures = 0
    next_verify = time.monotonic() + verify_every if verify_every > 0 else None
    while not stop.is_set():
        try:
            done = anchorer.run_once(uow, clock())
            if done.signed or done.breaks:
                log.info("checkpoints anchored", extra={
                    "signed": len(done.signed), "anchored": len(done.anchored),
                    "breaks": len(done.breaks)})
            if next_verify is not None and time.monotonic() >= next_verify:
                report = verify_and_alert(uow, verify)
                log.info("audit record verified", extra={"intact": report.intact,
                                                         "records": report.records_checked})
                next_verify = time.monotonic() + verify_every
            failures, pause = 0, poll_seconds
        # The witness or the database gone: nothing is half-done (rows first, witness next,
        # repaired by the next pass), so wait longer each time and try again.
        except (WitnessUnavailable, Exception) as exc:  # noqa: BLE001
            failures += 1
            pause = min(MAX_PAUSE_SECONDS, poll_seconds * 2 ** min(failures, 6))
            log.warning("anchoring failed; trying again", extra={
                "error": str(exc) if isinstance(exc, WitnessUnavailable) else type(exc).__name__,
                "retry_in_seconds": pause})
        stop.wait(pause)
