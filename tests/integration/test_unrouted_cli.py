"""An operator finds events that were published before their queue existed, and replays them
once the queue is declared: `<svc> unrouted list|replay` on the real RabbitMQ."""

import json

import pytest
from click.testing import CliRunner
from kombu import Producer, Queue

from audit.cli import main as audit_cli
from notes.cli import main as notes_cli
from notes.spec import SPEC as NOTES
from servicekit.messaging.bus import events_exchange
from servicekit.runtime import Runtime

pytestmark = pytest.mark.integration


def test_an_event_published_before_audit_migrated_is_replayed_into_audit_all(
    tmp_path, make_database, private_amqp_url, monkeypatch
):
    monkeypatch.setenv("NOTES_DATABASE_URL", make_database())
    monkeypatch.setenv("AUDIT_DATABASE_URL", make_database())
    monkeypatch.setenv("BUS_URL", private_amqp_url)
    monkeypatch.setenv("LOCAL_DIR", str(tmp_path))
    runner = CliRunner()
    # notes' migrate declares clinic.events with its alternate exchange; audit.all does not exist.
    assert runner.invoke(notes_cli, ["migrate"]).exit_code == 0
    notes: Runtime = NOTES.runtime()
    with notes.connection() as conn:
        Producer(conn.channel()).publish(
            '{"id": "e1"}', exchange=events_exchange(), routing_key="docportal.document.viewed",
            content_type="application/json", message_id="e1")

    listed = runner.invoke(notes_cli, ["unrouted", "list"])
    assert listed.exit_code == 0, listed.output
    [event] = [json.loads(line) for line in listed.output.splitlines()]
    assert (event["routing_key"], event["message_id"]) == ("docportal.document.viewed", "e1")

    assert runner.invoke(audit_cli, ["migrate"]).exit_code == 0  # audit.all, bound to #
    replayed = runner.invoke(notes_cli, ["unrouted", "replay"])
    assert replayed.exit_code == 0, replayed.output
    assert replayed.output.startswith("replayed 1 unrouted events")
    assert runner.invoke(notes_cli, ["unrouted", "list"]).output == ""
    with notes.connection() as conn:
        assert Queue("audit.all", channel=conn.channel()).purge() == 1
    notes.close()
