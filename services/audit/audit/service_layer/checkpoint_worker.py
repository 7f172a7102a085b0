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
from servicekit.db import UnitOfWork
from servicekit.workers import poll_until_stopped

log = logging.getLogger("audit.checkpoint_worker")


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
    next_verify = [time.monotonic() + verify_every] if verify_every > 0 else None

    # The witness or the database gone: nothing is half-done (rows first, witness next,
    # repaired by the next pass), so the loop waits longer each time and tries again.
    def one_pass() -> None:
        done = anchorer.run_once(uow, clock())
        if done.signed or done.breaks:
            log.info("checkpoints anchored", extra={
                "signed": len(done.signed), "anchored": len(done.anchored),
                "breaks": len(done.breaks)})
        if next_verify is not None and time.monotonic() >= next_verify[0]:
            report = verify_and_alert(uow, verify)
            log.info("audit record verified", extra={"intact": report.intact,
                                                     "records": report.records_checked})
            next_verify[0] = time.monotonic() + verify_every

    poll_until_stopped(one_pass, stop, poll_seconds=poll_seconds, what="anchoring")
