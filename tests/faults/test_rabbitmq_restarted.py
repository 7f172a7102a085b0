"""RabbitMQ stopped and started under load through the gateway: APIs keep answering, audit
gets every committed event once.

The broker is a private node (servicekit_testing.private), never the machine's shared one;
the platform is the whole stack behind nginx (through_gateway.py).
"""

from __future__ import annotations

import time

import pytest
from e2e_stack import PASSWORD
from faultkit import Load, report
from through_gateway import gateway_load, open_gateway_clinic

from servicekit_testing.fixtures import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.faults]

OUTAGE_SECONDS = 6.0


def test_broker_restart_under_load_loses_and_doubles_nothing(through_gateway, private_rabbitmq):
    ledger = through_gateway.ledger
    clinic = open_gateway_clinic(through_gateway)
    finalized: list[str] = []
    shared: list[str] = []
    load = Load(gateway_load(clinic, PASSWORD, finalized, shared)).start()
    try:
        time.sleep(3)
        stopped_at = time.monotonic()
        private_rabbitmq.stop_app()
        stop_took = time.monotonic() - stopped_at
        time.sleep(OUTAGE_SECONDS)
        outage_requests = sum(1 for t, *_ in load.results if t >= stopped_at)
        committed_in_outage = sum(ledger.unsent(s) for s in ledger.producers)
        started_at = time.monotonic()
        private_rabbitmq.start_app()
        back_at = time.monotonic()
        # Recovery: until everything committed before the broker came back is in audit.
        before_restart = ledger.committed_ids()
        wait_for(lambda: ledger.audit_has(before_restart), timeout=60, interval=0.1)
        recovered_in = time.monotonic() - back_at
        time.sleep(2)
    finally:
        load.stop()
    ledger.wait_caught_up(timeout=60)
    stored = ledger.assert_exactly_once()
    report("RabbitMQ stop_app / start_app under load, through the gateway", {
        "requests (all)": load.total,
        "requests during the outage": outage_requests,
        "failed requests (5xx or exception)": load.failed(),
        "failed during the outage": load.failed(since=stopped_at, until=back_at),
        "sign-ins limited by the gateway (429)": load.count("login", 429),
        "events committed while the broker was down": committed_in_outage,
        "broker outage (s)": back_at - stopped_at,
        "start_app took (s)": back_at - started_at,
        "stop_app took (s)": stop_took,
        "recovery after start_app (s)": recovered_in,
        "notes finalized": len(finalized),
        "documents shared": len(shared),
        "events stored by audit, each once": stored,
    })
    assert load.failed() == 0, load.errors[:5]
    assert load.count("login", 200) > 0 and finalized and shared
    assert committed_in_outage > 0, "the load kept committing while the broker was down"
    # Every finalization and share the API confirmed is in audit's record once, nothing else.
    assert sorted(ledger.audit_subjects("notes.note.finalized")) == sorted(finalized)
    assert sorted(ledger.audit_subjects("docportal.share.sent")) == sorted(shared)
