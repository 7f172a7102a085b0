import json
from datetime import UTC, datetime

import click

from notes.adapters.billing_exports import FAILED, HELD, PENDING, SENT, BillingExports
from notes.adapters.billing_senders import FolderBillingSender, HttpBillingSender
from notes.adapters.mail_outbox import MAIL_OUTBOX
from notes.config import NotesConfig
from notes.service_layer.billing_export_worker import (
    BillingSender,
    ExportSettings,
    export_due,
    retry_failed,
    run_billing_export,
)
from notes.spec import SPEC
from servicekit.cli import service_cli
from servicekit.logs import configure_logging
from servicekit.mail import SmtpMailer
from servicekit.mail_delivery import deliver_due, run_mail_outbox
from servicekit.workers import run_worker

main = service_cli(SPEC)


def _now() -> datetime:
    return datetime.now(UTC)


def billing_sender(config: NotesConfig) -> BillingSender:
    """BILLING_EXPORT_URL's billing system, or the local folder when it is unset."""
    if config.billing_export_url:
        return HttpBillingSender(config.billing_export_url, config.billing_export_token,
                                 config.billing_export_timeout_seconds)
    return FolderBillingSender(config.billing_export_dir)


@main.command(name="billing-export")
@click.option("--once", is_flag=True, help="Send the exports due now, then exit.")
def billing_export(once: bool) -> None:
    """Send finalized notes' billing sheets to the billing system, with backoff, once each."""
    config = SPEC.load_config()
    assert isinstance(config, NotesConfig)
    configure_logging("notes-billing-export", config.log_level)
    runtime = SPEC.runtime(config)
    settings = ExportSettings(billing_sender(config), config.billing_export_max_attempts)
    try:
        if once:
            done = export_due(runtime.uow(), settings, _now)
            click.echo(f"notes: {done.sent} billing exports sent, {done.failed} failed, "
                       f"{done.given_up} given up")
            return
        run_worker(runtime, lambda stop: run_billing_export(
            runtime.uow(), settings, _now, stop,
            poll_seconds=config.billing_export_poll_seconds))
    finally:
        runtime.close()


@main.command(name="mail-worker")
@click.option("--once", is_flag=True, help="Send the mails due now, then exit.")
@click.option("--poll-seconds", default=2.0, show_default=True, type=float,
              help="How often the mail outbox is looked at.")
def mail_worker(once: bool, poll_seconds: float) -> None:
    """Send the treatment plan mails queued in the mail outbox, with backoff per mail."""
    config = SPEC.load_config()
    assert isinstance(config, NotesConfig)
    configure_logging("notes-mail-worker", config.log_level)
    runtime, mailer = SPEC.runtime(config), SmtpMailer(config.smtp_url, config.mail_from)
    try:
        if once:
            done = deliver_due(runtime.uow(), MAIL_OUTBOX, mailer, _now)
            click.echo(f"notes: {done.sent} mails sent, {done.failed} failed, "
                       f"{done.given_up} given up")
            return
        run_worker(runtime, lambda stop: run_mail_outbox(
            runtime.uow(), MAIL_OUTBOX, mailer, _now, stop, poll_seconds=poll_seconds))
    finally:
        runtime.close()


@main.command(name="billing-exports")
@click.option("--status", type=click.Choice([FAILED, HELD, PENDING, SENT]), default=FAILED,
              show_default=True)
@click.option("--retry", "retry_id", default=None, help="Give this failed export its attempts "
              "again.")
@click.option("--limit", default=100, show_default=True)
def billing_exports(status: str, retry_id: str | None, limit: int) -> None:
    """List billing exports of every practice (one JSON object a line) or retry a failed one."""
    runtime = SPEC.runtime()
    try:
        if retry_id is not None:
            if not retry_failed(runtime.uow(), retry_id, _now()):
                raise click.ClickException(f"export {retry_id} is not a failed export")
            click.echo(f"notes: billing export {retry_id} is due again")
            return
        with runtime.uow() as uow:
            rows, _ = BillingExports(uow.session).listed(None, status, offset=0, limit=limit)
            for row in rows:
                click.echo(json.dumps({k: v for k, v in row.items() if k != "payload"},
                                      default=str))
    finally:
        runtime.close()
