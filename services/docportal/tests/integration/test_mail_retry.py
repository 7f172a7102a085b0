"""Share emails the mail server refused are sent again by `docportal mail-retry`, which sends
docportal's mail outbox.

Real database (SQLite and PostgreSQL), real SeaweedFS, a real SMTP port where nothing listens
and the real SMTP sink. Time is injected into the retrier: a retry is due a minute after
the failed send, so the retrier's clock runs a few minutes ahead of the sharing request's.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from docportal_harness import PDF, make_config, outbox_events, uploaded
from portal_harness import LINK, FakeRecipientAccounts, csrf_of, link_token, make_portal_app
from prometheus_client import REGISTRY
from sqlalchemy import delete, select, update

from docportal.adapters.mail_outbox import share_mail_key
from docportal.adapters.mailer import SmtpShareMailer
from docportal.adapters.tables import mail_outbox, shares
from docportal.domain.shares import CLAIM_WINDOW
from docportal.service_layer.mail_retry import RetryPass, retry_pending_mail
from docportal.service_layer.ports import ShareMail
from docportal.service_layer.share_mail_queue import MAIL_SENT_EVENT
from docportal.service_layer.shares import ShareMailSettings
from docportal.spec import SPEC
from servicekit.metrics import process_service

pytestmark = pytest.mark.integration

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux) Firefox/128.0"}
PASSWORD = "correct horse battery staple"


class RecordingMailer:
    """The real SMTP mailer, noting each link it was asked to mail (sent or not)."""

    def __init__(self, mailer: SmtpShareMailer) -> None:
        self.mailer, self.asked = mailer, []

    def share_link_message(self, mail: ShareMail) -> EmailMessage:
        self.asked.append(mail)
        return self.mailer.share_link_message(mail)

    def send(self, message: EmailMessage) -> None:
        self.mailer.send(message)


@pytest.fixture
def down_app(database_url, tmp_path, seaweedfs, dead_smtp_url):
    """docportal while the mail server is down; the links it tried to mail are kept."""
    app = make_portal_app(make_config(database_url, tmp_path, seaweedfs, dead_smtp_url),
                          FakeRecipientAccounts())
    portal = app.extensions["docportal"]
    recording = RecordingMailer(portal.mailer)
    app.extensions["docportal"] = dataclasses.replace(portal, mailer=recording)
    app.recording = recording
    yield app
    app.extensions["servicekit.runtime"].close()


def retrier_mail(app, smtp_url: str) -> ShareMailSettings:
    config = app.extensions["docportal"].config
    return ShareMailSettings(SmtpShareMailer(smtp_url, config.mail_from), config.portal_base_url)


def ahead(minutes: float):
    at = datetime.now(UTC) + timedelta(minutes=minutes)
    return lambda: at


def email() -> str:
    return f"dr.lee+{uuid.uuid4().hex[:8]}@example.org"


def share_while_down(app, practice, recipient: str) -> dict:
    staff = app.test_client()
    document = uploaded(staff, practice, content=PDF)
    response = staff.post("/shares", headers=practice.headers, json={
        "document_ids": [document["id"]], "recipient_email": recipient,
        "purpose": "treatment", "message": "Plan of care for Jane Doe"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["mail_status"] == "pending"
    return response.get_json()


def tracking(app, practice, share_id: str) -> dict:
    response = app.test_client().get(f"/shares/{share_id}", headers=practice.headers)
    assert response.status_code == 200
    return response.get_json()


def smtp_errors() -> float:
    return REGISTRY.get_sample_value("smtp_errors_total", {"service": process_service()}) or 0


def test_a_pending_share_email_is_sent_later_with_its_link_and_a_fresh_window(
        down_app, practice, mail_sink):
    recipient = email()
    share = share_while_down(down_app, practice, recipient)
    [queued] = down_app.recording.asked
    pending = tracking(down_app, practice, share["id"])
    assert (pending["mail_status"], pending["mail_attempts"]) == ("pending", 1)
    assert pending["status"] == "sent" and pending["mail_next_attempt_at"]
    with down_app.extensions["docportal"].uow() as uow:  # waiting sealed (decisions §30)
        waiting = uow.session.execute(select(mail_outbox.c.message).where(
            mail_outbox.c.key == share_mail_key(share["id"]))).scalar_one()
    assert waiting.startswith("sealed.v1:")
    assert recipient not in waiting and LINK.search(queued.link).group(1) not in waiting
    clock, uow = ahead(2), down_app.extensions["docportal"].uow()

    done = retry_pending_mail(uow, retrier_mail(down_app, mail_sink.url), clock)
    again = retry_pending_mail(uow, retrier_mail(down_app, mail_sink.url), ahead(90))

    assert done == RetryPass(sent=1, failed=0) and again == RetryPass(sent=0, failed=0)
    token = link_token(mail_sink, recipient)
    assert token == LINK.search(queued.link).group(1) and len(mail_sink.to(recipient)) == 1
    browser = down_app.test_client()
    page = browser.get(f"/portal/s/{token}", headers=BROWSER)
    assert page.status_code == 200 and b'id="register-form"' in page.data
    registered = browser.post(f"/portal/s/{token}/register", headers=BROWSER, data={
        "csrf_token": csrf_of(page), "email": recipient, "full_name": "Dr Lee",
        "password": PASSWORD, "password_confirm": PASSWORD})
    assert registered.status_code == 302
    opened = browser.get(registered.headers["Location"], headers=BROWSER)
    assert opened.status_code == 302 and opened.headers["Location"].startswith("/portal/shared")

    sent = tracking(down_app, practice, share["id"])
    assert (sent["mail_status"], sent["mail_attempts"]) == ("sent", 2)
    assert sent["mail_next_attempt_at"] is None and sent["status"] == "claimed"
    assert datetime.fromisoformat(sent["sent_at"]) == clock()  # the window restarted
    [event] = outbox_events(down_app, MAIL_SENT_EVENT)
    assert event["subject"] == {"type": "share", "id": share["id"]}
    assert event["patient_id"] == practice.patient_id and event["actor"] is None
    assert event["data"] == {"attempts": 2,
                             "claim_deadline": (clock() + CLAIM_WINDOW).isoformat()}
    assert "Jane" not in json.dumps(event) and recipient not in json.dumps(event)


def test_a_retry_while_the_mail_server_is_still_down_counts_and_backs_off(
        down_app, practice, dead_smtp_url, mail_sink):
    recipient = email()
    share = share_while_down(down_app, practice, recipient)
    uow = down_app.extensions["docportal"].uow()
    errors_before = smtp_errors()
    clock = ahead(1.5)

    failed = retry_pending_mail(uow, retrier_mail(down_app, dead_smtp_url), clock)
    not_yet = retry_pending_mail(uow, retrier_mail(down_app, mail_sink.url), ahead(3))

    assert failed == RetryPass(sent=0, failed=1) and smtp_errors() == errors_before + 1
    assert not_yet == RetryPass(sent=0, failed=0) and mail_sink.to(recipient) == []
    pending = tracking(down_app, practice, share["id"])
    assert (pending["mail_status"], pending["mail_attempts"]) == ("pending", 2)
    assert datetime.fromisoformat(pending["mail_next_attempt_at"]) == clock() + timedelta(
        minutes=2)
    assert retry_pending_mail(uow, retrier_mail(down_app, mail_sink.url),
                              ahead(4)) == RetryPass(sent=1, failed=0)
    assert tracking(down_app, practice, share["id"])["mail_attempts"] == 3


def test_revoked_and_reshared_shares_are_never_mailed_by_the_retrier(
        down_app, practice, mail_sink):
    revoked_to, reshared_to = email(), email()
    revoked = share_while_down(down_app, practice, revoked_to)
    reshared = share_while_down(down_app, practice, reshared_to)
    staff = down_app.test_client()
    assert staff.post(f"/shares/{revoked['id']}/revoke",
                      headers=practice.headers).status_code == 200
    newer = staff.post(f"/shares/{reshared['id']}/reshare", headers=practice.headers, json={})
    assert newer.status_code == 201 and newer.get_json()["mail_status"] == "pending"

    done = retry_pending_mail(down_app.extensions["docportal"].uow(),
                              retrier_mail(down_app, mail_sink.url), ahead(2))

    assert done == RetryPass(sent=1, failed=0)  # only the newest share of the two
    assert mail_sink.to(revoked_to) == []
    assert len(mail_sink.to(reshared_to)) == 1
    assert tracking(down_app, practice, revoked["id"])["mail_status"] == "pending"
    assert tracking(down_app, practice, newer.get_json()["id"])["mail_status"] == "sent"


def test_an_unsent_share_is_not_retried_once_it_expired(down_app, practice, mail_sink):
    recipient = email()
    share = share_while_down(down_app, practice, recipient)

    done = retry_pending_mail(down_app.extensions["docportal"].uow(),
                              retrier_mail(down_app, mail_sink.url),
                              ahead(CLAIM_WINDOW.total_seconds() / 60 + 1))

    assert done == RetryPass(sent=0, failed=0, given_up=1) and mail_sink.to(recipient) == []
    assert tracking(down_app, practice, share["id"])["mail_status"] == "pending"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_retriers_at_once_send_each_share_one_email(down_app, practice, mail_sink):
    recipients = [email() for _ in range(6)]
    for recipient in recipients:
        share_while_down(down_app, practice, recipient)
    config = down_app.extensions["docportal"].config
    runtimes = [SPEC.runtime(config) for _ in range(2)]  # two processes, two engines
    mail, clock = retrier_mail(down_app, mail_sink.url), ahead(2)
    start, results = threading.Barrier(2), []

    def retrier(runtime) -> None:
        start.wait()
        results.append(retry_pending_mail(runtime.uow(), mail, clock))

    threads = [threading.Thread(target=retrier, args=(rt,)) for rt in runtimes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for runtime in runtimes:
        runtime.close()

    assert sum(r.sent for r in results) == 6 and sum(r.failed for r in results) == 0
    assert [len(mail_sink.to(r)) for r in recipients] == [1] * 6
    assert len(outbox_events(down_app, MAIL_SENT_EVENT)) == 6


def test_a_share_left_pending_before_the_mail_outbox_is_mailed_with_a_new_link(
        down_app, practice, mail_sink):
    recipient = email()
    share = share_while_down(down_app, practice, recipient)
    [unsent] = down_app.recording.asked
    old_token = LINK.search(unsent.link).group(1)
    engine = down_app.extensions["servicekit.runtime"].engine
    with engine.begin() as conn:  # as the retrier before migration 0010 left it
        conn.execute(delete(mail_outbox).where(mail_outbox.c.key == share_mail_key(share["id"])))
        conn.execute(update(shares).where(shares.c.id == share["id"]).values(
            mail_attempts=3, mail_next_attempt_at=datetime.now(UTC)))
    clock = ahead(5)

    done = retry_pending_mail(down_app.extensions["docportal"].uow(),
                              retrier_mail(down_app, mail_sink.url), clock)

    assert done == RetryPass(sent=1, failed=0)
    token = link_token(mail_sink, recipient)
    assert token != old_token
    browser = down_app.test_client()
    assert browser.get(f"/portal/s/{old_token}", headers=BROWSER).status_code == 404
    assert browser.get(f"/portal/s/{token}", headers=BROWSER).status_code == 200
    sent = tracking(down_app, practice, share["id"])
    assert (sent["mail_status"], sent["mail_attempts"]) == ("sent", 4)
    assert datetime.fromisoformat(sent["sent_at"]) == clock()
    [event] = outbox_events(down_app, MAIL_SENT_EVENT)
    assert event["data"]["attempts"] == 4
