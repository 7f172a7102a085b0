"""`identity mail-worker` and `identity digests send`: the notification mails and the digests
(registered on the `identity` command by identity.cli)."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from identity.adapters.activity_mail import SmtpActivityMailer
from identity.adapters.mail_outbox import MAIL_OUTBOX
from identity.config import IdentityConfig
from identity.domain.catalog import load_catalog
from identity.service_layer.digests import send_due_digests
from identity.service_layer.mail_worker import run_mail_worker
from identity.service_layer.notification_delivery import deliver_notifications
from identity.spec import SPEC
from servicekit.logs import configure_logging
from servicekit.mail_delivery import deliver_due
from servicekit.workers import run_worker


def _now() -> datetime:
    return datetime.now(UTC)


def activity_mailer(config: IdentityConfig) -> SmtpActivityMailer:
    return SmtpActivityMailer(config.smtp_url, config.mail_from,
                              staff_app_url=config.staff_app_url,
                              vendor_name=config.vendor_name)


def _config() -> IdentityConfig:
    config = SPEC.load_config()
    assert isinstance(config, IdentityConfig)
    return config


def register(main: click.Group) -> None:
    @main.command(name="mail-worker")
    @click.option("--once", is_flag=True,
                  help="Send the mails, notifications and digests due now, then exit.")
    @click.option("--poll-seconds", default=2.0, show_default=True, type=float,
                  help="How often owed notifications are looked for.")
    @click.option("--digest-every-seconds", default=300.0, show_default=True, type=float,
                  help="How often ended digest periods are looked for.")
    def mail_worker(once: bool, poll_seconds: float, digest_every_seconds: float) -> None:
        """Send identity's mail outbox with backoff; mail treatment plan notifications as
        they are owed, and the digests when due."""
        config = _config()
        configure_logging("identity-mail-worker", config.log_level)
        runtime, mailer = SPEC.runtime(config), activity_mailer(config)
        try:
            if once:
                retried = deliver_due(runtime.uow(), MAIL_OUTBOX, mailer, _now)
                sent = deliver_notifications(runtime.uow(), mailer, _now)
                digests = send_due_digests(runtime.uow(), mailer, load_catalog(), _now())
                click.echo(f"identity: {retried.sent} queued mails sent, {retried.failed} "
                           f"failed; {sent.sent} notifications sent, {sent.failed} failed; "
                           f"{digests.sent} digests sent, {digests.failed} failed")
                return
            run_worker(runtime, lambda stop: run_mail_worker(
                runtime.uow, mailer, load_catalog(), _now, stop, poll_seconds=poll_seconds,
                digest_every_seconds=digest_every_seconds))
        finally:
            runtime.close()

    @main.group(name="digests")
    def digests_group() -> None:
        """The Practice and Practitioner Digests."""

    @digests_group.command(name="send")
    @click.option("--now", "in_course", is_flag=True,
                  help="Send the periods in course (this week or today, up to now) instead of "
                       "the periods that have ended.")
    def send_digests(in_course: bool) -> None:
        """Send the due digests at once; a person never gets one period's digest twice."""
        config = _config()
        runtime = SPEC.runtime(config)
        try:
            done = send_due_digests(runtime.uow(), activity_mailer(config), load_catalog(),
                                    _now(), in_course=in_course)
        finally:
            runtime.close()
        click.echo(f"identity: {done.sent} digests sent, {done.failed} failed, "
                   f"{done.already_sent} already sent for their period")
        if done.failed:
            raise click.ClickException("the mail server refused some digests; they wait in the "
                                       "mail outbox for identity mail-worker")
