"""Network faults between a consumer and RabbitMQ, through a TCP proxy the test controls.

A stalled path (nothing forwarded, nothing closed) is only visible to heartbeats: with
BUS_HEARTBEAT_SECONDS=2 the consumer must notice within a few seconds and reconnect. Dropped
connections are noticed at once. Events published meanwhile reach audit exactly once.
"""

from __future__ import annotations

import time
import uuid

import pytest
from faultkit import IDENTITY, report

from identity.service_layer.practices import create_practice
from servicekit_testing.fixtures import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.faults]

HEARTBEAT = 2


class StallNotDetected(AssertionError):
    """The consumer did not open a new connection while the old one was silent."""


# Heartbeats reveal a stall ("Too many heartbeats missed"); the consumer then drops the
# socket without waiting for a goodbye on it (EventConsumer._check_heartbeat) and reconnects.
def test_consumer_survives_a_dropped_and_a_stalled_connection(platform, tcp_proxy,
                                                              private_rabbitmq):
    identity = IDENTITY.runtime(IDENTITY.load_config(
        database_url=platform.databases["identity"], local_dir=platform.folder))

    def commit_practices(n: int) -> None:
        for _ in range(n):
            create_practice(identity.uow(), name="Proxy Physio",
                            owner_email=f"owner-{uuid.uuid4().hex[:8]}@faults.example")

    proxy = tcp_proxy("127.0.0.1", private_rabbitmq.port)
    platform.start("identity-relay", "identity", "relay")  # straight to the broker
    platform.start("audit-consumer", "audit", "consume", BUS_URL=proxy.url(platform.bus_url),
                   BUS_HEARTBEAT_SECONDS=str(HEARTBEAT))
    try:
        platform.wait_for_queues("audit.all")
        commit_practices(5)
        wait_for(lambda: platform.audit_has(platform.committed_ids()), timeout=30)
        # 1. Drop: every connection through the proxy is closed at once.
        connections_before = len(proxy.accepted)
        dropped_at = time.monotonic()
        proxy.drop()
        commit_practices(10)
        wait_for(lambda: len(proxy.accepted) > connections_before, timeout=20, interval=0.05)
        reconnected_in = proxy.accepted[connections_before] - dropped_at
        wait_for(lambda: platform.audit_has(platform.committed_ids()), timeout=30,
                 interval=0.05)
        drop_recovered_in = time.monotonic() - dropped_at

        # 2. Stall: the consumer's connection goes silent, the broker keeps the queue filling.
        connections_before = len(proxy.accepted)
        stalled_at = time.monotonic()
        proxy.stall()
        commit_practices(10)
        deadline = stalled_at + 3 * HEARTBEAT + 1
        while len(proxy.accepted) == connections_before and time.monotonic() < deadline:
            time.sleep(0.05)
        detected_in = (proxy.accepted[connections_before] - stalled_at
                       if len(proxy.accepted) > connections_before else None)
        healed_at = time.monotonic()
        proxy.heal()  # the consumer gets its connection back either way
        wait_for(lambda: platform.audit_has(platform.committed_ids()), timeout=30,
                 interval=0.05)
        stall_recovered_in = time.monotonic() - healed_at
    finally:
        identity.close()
    platform.wait_caught_up()
    stored = platform.assert_exactly_once()
    report(f"consumer <-> RabbitMQ network faults (heartbeat {HEARTBEAT} s)", {
        "reconnected during the stall after (s)": detected_in or "not before the stall ended",
        "caught up after the stall ended (s)": stall_recovered_in,
        "reconnected after a drop (s)": reconnected_in,
        "caught up after the drop (s)": drop_recovered_in,
        "events stored by audit, each once": stored,
    })
    if detected_in is None:
        raise StallNotDetected(
            "no new connection within 3 heartbeats of the stall: the consumer hangs in the "
            "channel close handshake on the dead socket")
