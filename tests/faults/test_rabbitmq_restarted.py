"""RabbitMQ stopped and started under load: APIs keep answering, audit gets every event once.

The broker is a private node (servicekit.testing_private), never the machine's shared one.
"""

from __future__ import annotations

import time

import pytest
from faultkit import Load, clinic_load, open_clinic, report

from servicekit.testing import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.faults]

OUTAGE_SECONDS = 6.0


def test_broker_restart_under_load_loses_and_doubles_nothing(platform, private_rabbitmq):
    platform.start_workers()
    clinic = open_clinic(platform)
    finalized: list[str] = []
    load = Load(clinic_load(clinic, finalized)).start()
    try:
        time.sleep(2)
        stopped_at = time.monotonic()
        private_rabbitmq.stop_app()
        stop_took = time.monotonic() - stopped_at
        time.sleep(OUTAGE_SECONDS)
        outage_requests = sum(1 for t, *_ in load.results if t >= stopped_at)
        committed_in_outage = platform.unsent("identity") + platform.unsent("notes")
        started_at = time.monotonic()
        private_rabbitmq.start_app()
        back_at = time.monotonic()
        # Recovery: until everything committed before the broker came back is in audit.
        before_restart = platform.committed_ids()
        wait_for(lambda: platform.audit_has(before_restart), timeout=40, interval=0.1)
        recovered_in = time.monotonic() - back_at
        time.sleep(1)
    finally:
        load.stop()
        clinic.close()
    platform.wait_caught_up()
    stored = platform.assert_exactly_once()
    failed_in_outage = load.failed(since=stopped_at, until=back_at)
    report("RabbitMQ stop_app / start_app under load", {
        "requests (all)": load.total,
        "requests during the outage": outage_requests,
        "failed requests (5xx or exception)": load.failed(),
        "failed during the outage": failed_in_outage,
        "events committed while the broker was down": committed_in_outage,
        "broker outage (s)": back_at - stopped_at,
        "start_app took (s)": back_at - started_at,
        "stop_app took (s)": stop_took,
        "recovery after start_app (s)": recovered_in,
        "notes finalized": len(finalized),
        "events stored by audit, each once": stored,
    })
    assert load.failed() == 0, load.errors[:5]
    assert committed_in_outage > 0, "the load kept committing while the broker was down"
    # Every finalization the API confirmed is in audit's record once, and nothing else is.
    assert sorted(platform.audit_subjects("notes.note.finalized")) == sorted(finalized)
