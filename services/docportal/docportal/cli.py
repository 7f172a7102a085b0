from datetime import UTC, datetime

import click

from docportal.adapters.mailer import SmtpShareMailer
from docportal.config import DocportalConfig
from docportal.service_layer.mail_retry import retry_pending_mail, run_mail_retry
from docportal.service_layer.shares import ShareMailSettings
from docportal.spec import SPEC
from servicekit.cli import service_cli
from servicekit.logs import configure_logging
from servicekit.workers import run_worker

main = service_cli(SPEC)


def _now() -> datetime:
    return datetime.now(UTC)


@main.command(name="mail-retry")
@click.option("--once", is_flag=True, help="Retry the share emails due now, then exit.")
def mail_retry(once: bool) -> None:
    """Send docportal's mail outbox (the share emails the mail server refused), with backoff
    per email."""
    config = SPEC.load_config()
    assert isinstance(config, DocportalConfig)
    configure_logging("docportal-mail-retry", config.log_level)
    runtime = SPEC.runtime(config)
    mail = ShareMailSettings(SmtpShareMailer(config.smtp_url, config.mail_from),
                             config.portal_base_url)
    try:
        if once:
            done = retry_pending_mail(runtime.uow(), mail, _now)
            click.echo(f"docportal: {done.sent} share emails sent, {done.failed} failed, "
                       f"{done.given_up} given up")
            return
        run_worker(runtime, lambda stop: run_mail_retry(
            runtime.uow(), mail, _now, stop, poll_seconds=config.mail_retry_poll_seconds))
    finally:
        runtime.close()
