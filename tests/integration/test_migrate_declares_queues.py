"""`<svc> migrate` declares the service's queues, so events relayed before its consumer first
starts wait in the queue instead of being routed nowhere."""

import json

import pytest
from click.testing import CliRunner
from kombu import Connection, Producer

from audit.cli import main as audit_cli
from servicekit.messaging.bus import events_exchange
from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.integration


def test_an_event_published_after_migrate_waits_for_the_consumer(
    make_database, private_amqp_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("LOCAL_DIR", str(tmp_path))
    monkeypatch.setenv("AUDIT_DATABASE_URL", make_database())
    monkeypatch.setenv("BUS_URL", private_amqp_url)
    result = CliRunner().invoke(audit_cli, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "queues declared on the bus: audit.all" in result.output

    with Connection(private_amqp_url) as conn:
        Producer(conn.channel(), exchange=events_exchange()).publish(
            {"before": "any consumer ran"}, routing_key="identity.practice.created")
        channel = conn.channel()
        # A passive read: declaring the queue again here could only differ from migrate's.
        message = wait_for(lambda: channel.basic_get("audit.all", no_ack=True), timeout=5)
        assert json.loads(message.body) == {"before": "any consumer ran"}
