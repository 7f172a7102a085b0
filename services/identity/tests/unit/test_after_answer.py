"""Work after the answer: jobs run in order on one thread; a failing job is logged, and
the ones after it still run."""

import contextvars
import threading

from identity.adapters.after_answer import AfterAnswer

REQUEST = contextvars.ContextVar("request", default=None)


def test_jobs_run_in_order_off_the_answering_thread():
    after, ran = AfterAnswer(), []
    for n in range(3):
        after.submit(lambda n=n: ran.append((n, threading.current_thread().name)))
    assert after.drain()
    assert [n for n, _ in ran] == [0, 1, 2]
    assert {name for _, name in ran} == {"identity-after-answer"}


def test_a_failing_job_is_logged_and_the_next_one_still_runs(caplog):
    after, ran = AfterAnswer(), []
    after.submit(lambda: 1 / 0)
    after.submit(lambda: ran.append("next"))
    assert after.drain()
    assert ran == ["next"]
    assert "after-answer job failed" in caplog.text


def test_a_job_sees_the_context_of_the_request_that_submitted_it():
    after, seen = AfterAnswer(), []
    REQUEST.set("req-1")
    after.submit(lambda: seen.append(REQUEST.get()))
    assert after.drain()
    assert seen == ["req-1"]
