"""Work done after the answer has left: the password reset mails.

Whether an address has an account must not change how long "forgot password" takes, so
everything that depends on the account (the link, its event, the SMTP round trip) runs
here, after the request returned. One daemon thread per process takes the jobs in order;
a job that fails is logged and dropped (the person asks again), never shown to anyone.
The thread starts on first use in each process: gunicorn forks its workers after
create_app, and a thread does not survive a fork.
"""

from __future__ import annotations

import contextvars
import logging
import os
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

MOST_WAITING_JOBS = 1000  # beyond that a job is dropped and logged, never blocks an answer


class AfterAnswer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._jobs: queue.Queue[Callable[[], object]] = queue.Queue(MOST_WAITING_JOBS)

    def submit(self, job: Callable[[], object]) -> None:
        """Run ``job`` later on the worker thread, with this request's context (its id)."""
        jobs = self._started()
        context = contextvars.copy_context()
        try:
            jobs.put_nowait(lambda: context.run(job))
        except queue.Full:
            log.warning("after-answer job dropped: %d jobs already waiting", MOST_WAITING_JOBS)

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every submitted job ran; False if some still run at the deadline."""
        jobs = self._jobs
        with jobs.all_tasks_done:
            return jobs.all_tasks_done.wait_for(lambda: jobs.unfinished_tasks == 0, timeout)

    def _started(self) -> queue.Queue[Callable[[], object]]:
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._jobs = queue.Queue(MOST_WAITING_JOBS)  # a forked copy may hold a lock
                threading.Thread(target=self._work, args=(self._jobs,), daemon=True,
                                 name="identity-after-answer").start()
            return self._jobs

    @staticmethod
    def _work(jobs: queue.Queue[Callable[[], object]]) -> None:
        while True:
            job = jobs.get()
            try:
                job()
            except Exception:  # a job's failure is logged; the answer was already given
                log.exception("after-answer job failed")
            finally:
                jobs.task_done()
