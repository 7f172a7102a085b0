"""`audit alert-push` and `audit alert-deliveries`: the worker of the webhook calls and the
alert mails, and the webhook calls' dead letters (registered on the `audit` command by
audit.cli)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from audit.bootstrap import push_settings
from audit.config import AuditConfig
from audit.domain.scope import EVERY_PRACTICE
from audit.service_layer.alert_push_worker import push_due, run_alert_push, send_alert_mails
from audit.service_layer.alert_webhooks import DEAD, list_deliveries, retry_delivery
from audit.spec import SPEC
from servicekit.logs import configure_logging
from servicekit.workers import run_worker


def _now() -> datetime:
    return datetime.now(UTC)


def register(main: click.Group) -> None:
    @main.command(name="alert-push")
    @click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
    def alert_push(once: bool) -> None:
        """Post alerts to the practices' webhooks and send the alert mails to their User
        Managers (audit's mail outbox), each with backoff."""
        config = SPEC.load_config()
        assert isinstance(config, AuditConfig)
        configure_logging("audit-alert-push", config.log_level)
        runtime = SPEC.runtime(config)
        settings = push_settings(config)
        try:
            if once:
                done = push_due(runtime.uow(), settings, _now)
                mails = send_alert_mails(runtime.uow(), settings, _now)
                click.echo(f"audit: {done.delivered} alert pushes delivered, {done.failed} "
                           f"failed, {done.dead} dead; {mails.sent} alert mails sent, "
                           f"{mails.failed} failed, {mails.given_up} given up")
                return
            run_worker(runtime, lambda stop: run_alert_push(
                runtime.uow(), settings, _now, stop,
                poll_seconds=config.alert_push_poll_seconds))
        finally:
            runtime.close()

    @main.command(name="alert-deliveries")
    @click.option("--dead", is_flag=True, help="Only the dead letters.")
    @click.option("--retry", "retry_id", type=int, default=None,
                  help="Give this dead delivery its attempts again.")
    @click.option("--limit", default=100, show_default=True)
    def alert_deliveries(dead: bool, retry_id: int | None, limit: int) -> None:
        """List alert deliveries (newest first, one JSON object a line) or retry a dead one."""
        runtime = SPEC.runtime()
        try:
            if retry_id is not None:
                retry_delivery(runtime.uow(), EVERY_PRACTICE, retry_id, _now())
                click.echo(f"audit: delivery {retry_id} is due again")
                return
            rows, _ = list_deliveries(runtime.uow(), EVERY_PRACTICE,
                                      status=DEAD if dead else None, limit=limit)
            for row in rows:
                click.echo(json.dumps(row, default=str))
        finally:
            runtime.close()
