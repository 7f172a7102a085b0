"""An operator inspects and replays dead letters with the service's CLI."""

import json
import threading

import pytest
from click.testing import CliRunner
from kombu import Producer, Queue

from audit.cli import main as audit_cli
from audit.spec import SPEC as AUDIT
from servicekit.messaging.bus import events_exchange
from servicekit.migrations import upgrade
from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.integration


def test_operator_lists_then_replays_a_dead_letter(
    tmp_path, make_database, private_amqp_url, monkeypatch
):
    monkeypatch.setenv("AUDIT_DATABASE_URL", make_database())
    monkeypatch.setenv("BUS_URL", private_amqp_url)
    monkeypatch.setenv("LOCAL_DIR", str(tmp_path))
    audit = AUDIT.runtime()
    upgrade(AUDIT.migrations_dir, audit.config.database_url)
    consumer = audit.consumer(AUDIT.subscriptions[0])
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        wait_for(consumer.ready.is_set, timeout=10)
        with audit.connection() as conn:
            producer = Producer(conn.channel())
            producer.publish("{truncated", exchange=events_exchange(),
                             routing_key="notes.note.viewed", content_type="application/json")
        wait_for(lambda: consumer.dead_lettered == 1, timeout=15)
    finally:
        consumer.should_stop = True
        thread.join(timeout=15)

    runner = CliRunner()
    listed = runner.invoke(audit_cli, ["dead-letters", "list", "audit.all"])
    assert listed.exit_code == 0, listed.output
    [letter] = [json.loads(line) for line in listed.output.splitlines()]
    assert letter["reason"] == "undecodable"
    assert letter["routing_key"] == "notes.note.viewed"
    assert letter["body"] == "{truncated"

    replayed = runner.invoke(audit_cli, ["dead-letters", "replay", "audit.all"])
    assert replayed.output.strip() == "replayed 1 dead letters onto audit.all"
    assert runner.invoke(audit_cli, ["dead-letters", "list", "audit.all"]).output == ""
    with audit.connection() as conn:  # the replayed body is back on audit.all: 1 message
        assert Queue("audit.all", channel=conn.channel()).purge() == 1
    audit.close()
