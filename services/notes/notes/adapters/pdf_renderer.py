"""Note PDFs rendered in processes of their own, at a lower CPU priority than the API.

fpdf2 is pure Python: a render is half a second of CPU that holds the GIL. Rendered in a thread
of an API worker, it would stall every other request of that worker; in a separate process it
only competes for a core, and at nice 10 the API's processes win that too. One pool per process
(built at the first render, never at import), shared by the apps the process builds.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from notes.adapters.note_pdf import render_note_pdf
from notes.domain.printout import NotePrintout
from notes.service_layer.errors import NotePdfUnavailable

log = logging.getLogger("notes.pdf_renderer")

RENDER_NICENESS = 10
RENDER_TIMEOUT_SECONDS = 60.0
UNAVAILABLE = "The note's PDF could not be prepared right now; try again in a minute."

_pools: dict[int, ProcessPoolExecutor] = {}
_pools_lock = threading.Lock()


def _lower_priority() -> None:
    os.nice(RENDER_NICENESS)


def _pool(processes: int) -> ProcessPoolExecutor:
    with _pools_lock:
        pool = _pools.get(processes)
        if pool is None:
            # spawn, not fork: the API worker has threads (and a database pool) a fork would copy.
            pool = _pools[processes] = ProcessPoolExecutor(
                max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
                initializer=_lower_priority)
        return pool


def _forget(processes: int, pool: ProcessPoolExecutor) -> None:
    with _pools_lock:
        if _pools.get(processes) is pool:
            del _pools[processes]
    pool.shutdown(wait=False, cancel_futures=True)


class ProcessPdfRenderer:
    """Renders in ``processes`` separate processes; 0 renders in the caller's thread."""

    def __init__(self, processes: int) -> None:
        self.processes = processes

    def __call__(self, printout: NotePrintout) -> bytes:
        if self.processes <= 0:
            return render_note_pdf(printout)
        pool = _pool(self.processes)
        try:
            return pool.submit(render_note_pdf, printout).result(RENDER_TIMEOUT_SECONDS)
        except BrokenProcessPool:
            # A render process died (killed, out of memory): the next render gets a new pool.
            log.error("note PDF render process died; starting a new one at the next render")
            _forget(self.processes, pool)
            raise NotePdfUnavailable(UNAVAILABLE) from None
        except TimeoutError:
            log.error("note PDF render took longer than %s s", RENDER_TIMEOUT_SECONDS)
            raise NotePdfUnavailable(UNAVAILABLE) from None
