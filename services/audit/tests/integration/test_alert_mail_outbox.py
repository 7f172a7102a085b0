"""Alert mails go through audit's mail outbox: queued in the alert's own transaction, sent by
`audit alert-push` with backoff while the mail server refuses them, none lost, none doubled,
and no patient data in them."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from audit_harness import VENDOR, new_id, practice_created, user_created
from sqlalchemy import func, select

from audit.adapters.alert_mail import AlertMailSettings
from audit.adapters.tables import alert_deliveries, alerts, mail_outbox
from audit.adapters.webhook import WebhookSender
from audit.service_layer.alert_push_worker import PushSettings, push_due, send_alert_mails
from audit.service_layer.record import record_event
from servicekit.mail import MailUnavailable, SmtpMailer
from servicekit.messaging.envelope import Subject, new_event

pytestmark = pytest.mark.integration
LINK = "https://clinic.example/api/audit/alerts"


class FlakyMailer:
    """A mail server that refuses every other mail, then takes it."""

    def __init__(self, mailer: SmtpMailer) -> None:
        self.mailer, self.tries = mailer, 0

    def send(self, message) -> None:
        self.tries += 1
        if self.tries % 2:
            raise MailUnavailable("SMTPServerDisconnected")
        self.mailer.send(message)


def push_settings(mailer) -> PushSettings:
    return PushSettings(WebhookSender(2.0), mailer, AlertMailSettings("audit@clinic.example",
                                                                      LINK))


@pytest.fixture
def manager(feed):
    """A practice whose User Manager has an address of this test alone."""
    org, owner = new_id(), new_id()
    email = f"olive-{owner[:8]}@sunrise.example"
    feed(practice_created(org, owner, recognized_domains=["sunrise.example"]),
         new_event("identity.user.created", subject=Subject("user", owner), org_id=org,
                   data={"email": email, "kind": "staff", "role": "owner", "status": "active",
                         "full_name": "Olive Owner", "user_type": "PT",
                         "permissions": ["manage_users", "view_audit", "view_patients"]}))
    return org, email


def intruder(org):
    return user_created(org, new_id(), f"eve-{new_id()[:8]}@intruder.example")


def outbox_rows(audit, **where):
    with audit.uow() as uow:
        query = select(mail_outbox).where(
            *(getattr(mail_outbox.c, k) == v for k, v in where.items()))
        return [dict(r) for r in uow.session.execute(query).mappings()]


def test_an_alert_queues_its_mail_in_its_own_transaction_and_the_worker_sends_it(
        audit, feed, settings_for_sink, manager, mail_sink):
    org, email = manager
    [event] = feed(intruder(org))
    [queued] = outbox_rows(audit, kind="alert")  # before any worker ran
    assert queued["sent_at"] is None and queued["attempts"] == 0
    assert email not in queued["key"]  # the key names the step, the address only hashed
    assert queued["message"].startswith("sealed.v1:") and email not in queued["message"]

    done = send_alert_mails(audit.uow(), settings_for_sink, lambda: datetime.now(UTC))
    assert (done.sent, done.failed) == (1, 0)
    [mail] = mail_sink.to(email)
    assert mail["Subject"] == "[HIGH] Audit alert: unrecognized domain"
    assert event.data["email"] in mail.get_content()
    assert audit.config.alerts_url in mail.get_content()  # AUDIT_ALERTS_URL
    assert "patient" not in mail.get_content().lower()
    [sent] = outbox_rows(audit, kind="alert")
    assert sent["sent_at"] is not None and sent["message"] is None  # the text is not kept

    # The webhook outbox holds no mail any more.
    with audit.uow() as uow:
        assert uow.session.execute(select(func.count()).select_from(alert_deliveries).where(
            alert_deliveries.c.channel == "mail")).scalar() == 0


def test_an_alert_rolled_back_mails_nothing(audit, settings, manager):
    org, _ = manager
    with audit.uow() as uow:
        record_event(uow, intruder(org), settings, VENDOR)
        assert uow.session.execute(select(func.count()).select_from(mail_outbox)).scalar() == 1
        assert uow.session.execute(select(func.count()).select_from(alerts).where(
            alerts.c.org_id == org)).scalar() == 1
        uow.rollback()
    assert outbox_rows(audit) == []


def test_a_refusing_mail_server_is_retried_with_backoff_until_it_takes_the_mail(
        audit, feed, manager, mail_sink, dead_smtp_url):
    org, email = manager
    feed(intruder(org))
    down, back = push_settings(SmtpMailer(dead_smtp_url, "a@clinic.example")), \
        push_settings(SmtpMailer(mail_sink.url, "a@clinic.example"))
    clock = [datetime.now(UTC)]

    assert send_alert_mails(audit.uow(), down, lambda: clock[0]).failed == 1
    assert send_alert_mails(audit.uow(), back, lambda: clock[0]).sent == 0  # not due yet
    [waiting] = outbox_rows(audit, kind="alert")
    assert waiting["last_error"] and email not in waiting["last_error"]
    assert waiting["next_attempt_at"] == clock[0] + timedelta(seconds=2)
    clock[0] += timedelta(seconds=2)
    assert send_alert_mails(audit.uow(), down, lambda: clock[0]).failed == 1
    clock[0] += timedelta(seconds=4)
    assert send_alert_mails(audit.uow(), back, lambda: clock[0]).sent == 1
    assert len(mail_sink.to(email)) == 1
    [sent] = outbox_rows(audit, kind="alert")
    assert sent["attempts"] == 3 and sent["sent_at"] is not None


def test_no_alert_mail_is_lost_or_doubled_while_the_mail_server_refuses_some(
        audit, feed, manager, mail_sink):
    org, email = manager
    events = feed(*(intruder(org) for _ in range(20)))
    flaky = FlakyMailer(SmtpMailer(mail_sink.url, "a@clinic.example"))
    clock = [datetime.now(UTC)]
    passes = 0
    while outbox_rows(audit, sent_at=None) and passes < 20:
        send_alert_mails(audit.uow(), push_settings(flaky), lambda: clock[0])
        clock[0] += timedelta(minutes=10)
        passes += 1
    mailed = [m.get_content() for m in mail_sink.to(email)]
    for event in events:  # each alert's mail exactly once
        assert sum(event.data["email"] in text for text in mailed) == 1
    assert len(mailed) == 20 and flaky.tries > 20
    assert outbox_rows(audit, sent_at=None) == []
    print(f"\nalert mails: 20 alerts, every other attempt refused: {flaky.tries} attempts in "
          f"{passes} passes, 20 mails delivered once each, 0 lost, 0 given up")


def test_a_mail_left_in_alert_deliveries_before_the_mail_outbox_is_handed_over(
        audit, manager, mail_sink):
    org, email = manager
    alert_id, event_id, now = new_id(), new_id(), datetime.now(UTC)
    body = {"type": "audit.alert.raised", "id": event_id, "org_id": org,
            "alert": {"alert_id": alert_id, "reason": "unrecognized_domain",
                      "severity": "high", "profile_email": "eve@intruder.example",
                      "status": "open"}}
    with audit.uow() as uow:
        uow.session.execute(alert_deliveries.insert().values(
            org_id=org, alert_id=alert_id, event_id=event_id, event_type="audit.alert.raised",
            channel="mail", target=email, body=json.dumps(body), created_at=now, attempts=2,
            next_attempt_at=now, last_error="SMTPServerDisconnected"))
        uow.commit()
    sink = push_settings(SmtpMailer(mail_sink.url, "a@clinic.example"))
    assert push_due(audit.uow(), sink, lambda: datetime.now(UTC)).delivered == 1
    assert push_due(audit.uow(), sink, lambda: datetime.now(UTC)).delivered == 0  # once
    assert send_alert_mails(audit.uow(), sink, lambda: datetime.now(UTC)).sent == 1
    [mail] = mail_sink.to(email)
    assert alert_id in mail.get_content() and LINK in mail.get_content()
    with audit.uow() as uow:
        row = uow.session.execute(select(alert_deliveries).where(
            alert_deliveries.c.event_id == event_id)).mappings().one()
    assert row["delivered_at"] is not None
    assert row["last_error"] == "handed over to the mail outbox"


@pytest.fixture
def settings_for_sink(mail_sink) -> PushSettings:
    return push_settings(SmtpMailer(mail_sink.url, "a@clinic.example"))
