"""Alerts reach the practice: a signed webhook call (retried with backoff from an outbox, dead
after N attempts and listed) and a mail to each User Manager, within a second of the event."""

import dataclasses
import json
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from audit_harness import bearer, new_id, practice_created, token_verifier, user_created
from push_receiver import Receiver, start_receiver

from audit.adapters.alert_mail import AlertMailSettings
from audit.adapters.webhook import WebhookSender
from audit.app import create_app
from audit.domain.alert_push import SIGNATURE_HEADER, signature_matches
from audit.service_layer.alert_push_worker import (
    PushSettings,
    push_due,
    run_alert_push,
    send_alert_mails,
)
from servicekit.mail import SmtpMailer
from servicekit.messaging.envelope import Subject, new_event

pytestmark = pytest.mark.integration
SECRET = "a-practice-secret-of-32-characters!"
MANAGER = ("view_audit", "manage_users")


@pytest.fixture
def receiver():
    found = Receiver()
    server = start_receiver(found)
    yield found
    server.shutdown()


@pytest.fixture
def client(audit):
    config = dataclasses.replace(audit.config, webhook_allow_http=True)
    return create_app(config, verifier=token_verifier()).test_client()


@pytest.fixture
def push(mail_sink):
    return PushSettings(WebhookSender(2.0), SmtpMailer(mail_sink.url, "audit@clinic.example"),
                        AlertMailSettings("audit@clinic.example",
                                          "https://clinic.example/api/audit/alerts"),
                        max_attempts=3)


def manager_created(org_id: str, user_id: str, email: str):
    return new_event("identity.user.created", subject=Subject("user", user_id), org_id=org_id,
                     data={"email": email, "kind": "staff", "role": "owner", "status": "active",
                           "full_name": "Olive Owner", "user_type": "PT",
                           "permissions": ["manage_users", "view_audit", "view_patients"]})


@pytest.fixture
def practice(feed, client, receiver):
    org, owner = new_id(), new_id()
    feed(practice_created(org, owner, recognized_domains=["sunrise.example"]),
         manager_created(org, owner, "olive@sunrise.example"),
         user_created(org, new_id(), "clerk@sunrise.example"))
    answer = client.put("/alert-webhook", json={"url": receiver.url, "secret": SECRET},
                        headers=bearer(org, perms=MANAGER, user_id=owner))
    assert answer.status_code == 200, answer.json
    assert "secret" not in answer.json
    return org


def intruder(org):
    return user_created(org, new_id(), f"eve-{new_id()[:8]}@intruder.example")


def test_alerts_reach_the_webhook_signed_within_a_second_of_their_event(
        audit, feed, push, receiver, practice, mail_sink):
    stop = threading.Event()
    worker = threading.Thread(target=run_alert_push, args=(
        audit.uow(), push, lambda: datetime.now(UTC), stop), kwargs={"poll_seconds": 0.05})
    worker.start()
    count, sent = 60, {}
    try:
        for _ in range(count):
            [event] = feed(intruder(practice))
            sent[event.id] = event.occurred_at.timestamp()
            time.sleep(0.02)
        calls = receiver.wait_for(count)
    finally:
        stop.set()
        worker.join(10)
    latencies = []
    for call in calls:
        assert signature_matches(SECRET, call.headers[SIGNATURE_HEADER], call.body,
                                 now=int(time.time()))
        body = json.loads(call.body)
        assert body["type"] == "audit.alert.raised" and body["org_id"] == practice
        assert body["alert"]["reason"] == "unrecognized_domain"
        assert "patient_id" not in json.dumps(body)
        latencies.append(call.at - sent[body["alert"]["triggering_event_id"]])
    p99 = statistics.quantiles(latencies, n=100)[98]
    print(f"\nalert push: event to webhook receipt over {count} alerts: "
          f"p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
    assert p99 < 1.0
    # The mail to the User Manager went out from the mail outbox, by the same worker.
    deadline = time.monotonic() + 10
    while len(mail_sink.to("olive@sunrise.example")) < count and time.monotonic() < deadline:
        send_alert_mails(audit.uow(), push, lambda: datetime.now(UTC))
    assert len(mail_sink.to("olive@sunrise.example")) >= count


def test_a_raised_alert_is_mailed_to_the_user_managers_only(
        audit, feed, push, practice, mail_sink, receiver):
    [event] = feed(intruder(practice))
    done = push_due(audit.uow(), push, lambda: datetime.now(UTC))
    assert (done.delivered, done.failed) == (1, 0)  # the webhook
    mails = send_alert_mails(audit.uow(), push, lambda: datetime.now(UTC))
    assert (mails.sent, mails.failed) == (1, 0)  # Olive's mail, from the mail outbox
    [mail] = [m for m in mail_sink.to("olive@sunrise.example")
              if event.data["email"] in m.get_content()]
    assert mail["Subject"] == "[HIGH] Audit alert: unrecognized domain"
    assert audit.config.alerts_url in mail.get_content()
    assert mail_sink.to("clerk@sunrise.example") == []


def test_a_failing_webhook_is_retried_with_backoff_then_dead_listed_and_retried(
        audit, feed, push, practice, receiver, client):
    receiver.fail_first = 3
    feed(intruder(practice))
    clock = [datetime.now(UTC)]

    def now():
        return clock[0]

    push_due(audit.uow(), push, now)
    assert len(receiver.calls) == 1
    push_due(audit.uow(), push, now)  # not due again before the backoff
    assert len(receiver.calls) == 1
    for wait in (1, 2):
        clock[0] += timedelta(seconds=wait)
        push_due(audit.uow(), push, now)
    assert len(receiver.calls) == 3
    [dead] = client.get("/alert-deliveries?status=dead",
                        headers=bearer(practice)).json["deliveries"]
    assert (dead["channel"], dead["attempts"], dead["last_error"]) == ("webhook", 3, "HTTP 500")
    clock[0] += timedelta(hours=1)
    push_due(audit.uow(), push, now)
    assert len(receiver.calls) == 3  # dead letters wait for a person
    retried = client.post(f"/alert-deliveries/{dead['id']}/retry", headers=bearer(practice))
    assert retried.status_code == 200 and retried.json["status"] == "pending"
    push_due(audit.uow(), push, now)
    [call] = receiver.received()
    assert json.loads(call.body)["alert"]["alert_id"] == dead["alert_id"]
    assert client.get("/alert-deliveries?status=dead",
                      headers=bearer(practice)).json["deliveries"] == []


def test_every_step_of_an_alert_is_posted(audit, feed, push, practice, receiver, client):
    feed(intruder(practice))
    [alert] = client.get("/alerts", headers=bearer(practice)).json["alerts"]
    for step in ("acknowledge", "resolve", "reopen"):
        client.post(f"/alerts/{alert['id']}/{step}", json={"note": "n"},
                    headers=bearer(practice, user_id="u-sec"))
    push_due(audit.uow(), push, lambda: datetime.now(UTC))
    posted = [json.loads(c.body) for c in receiver.received()]
    assert [(b["type"], b["alert"]["status"], b["alert"]["changed_by"]) for b in posted] == [
        ("audit.alert.raised", "open", "system"),
        ("audit.alert.acknowledged", "acknowledged", "u-sec"),
        ("audit.alert.resolved", "resolved", "u-sec"),
        ("audit.alert.reopened", "open", "u-sec")]


def test_only_a_user_manager_sets_the_webhook_and_nobody_reads_the_secret(
        client, practice, receiver):
    refused = client.put("/alert-webhook", json={"url": receiver.url},
                         headers=bearer(practice, perms=("view_audit",)))
    assert refused.status_code == 403
    shown = client.get("/alert-webhook", headers=bearer(practice)).json
    assert shown["url"] == receiver.url and "secret" not in shown
    made = client.put("/alert-webhook", json={"url": receiver.url},
                      headers=bearer(practice, perms=MANAGER)).json
    assert len(made["secret"]) >= 32  # shown once, in this answer
    assert "secret" not in client.get("/alert-webhook", headers=bearer(practice)).json


def test_alert_deliveries_page_by_cursor_and_link_header_newest_first(
        client, feed, practice):
    for _ in range(7):
        feed(intruder(practice))
    whole = client.get("/alert-deliveries", headers=bearer(practice)).json
    ids = [d["id"] for d in whole["deliveries"]]
    assert len(ids) == 7 and ids == sorted(ids, reverse=True)
    assert whole["next_cursor"] is None

    seen, url, pages = [], "/alert-deliveries?status=pending&limit=3", 0
    while url:
        answer = client.get(url, headers=bearer(practice))
        assert answer.status_code == 200, answer.json
        seen += [d["id"] for d in answer.json["deliveries"]]
        link = answer.headers.get("Link")
        assert (link is None) == (answer.json["next_cursor"] is None)
        url = link and link.split(";")[0].strip("<>").replace("http://localhost", "")
        pages += 1
    assert (seen, pages) == (ids, 3)  # 3, 3, 1: each delivery once

    first = client.get("/alert-deliveries?status=pending&limit=3", headers=bearer(practice))
    cursor = first.json["next_cursor"]
    for wrong in (f"/alert-deliveries?status=dead&cursor={cursor}",  # other filters
                  f"/alerts?cursor={cursor}",  # another list
                  "/alert-deliveries?cursor=not-a-cursor"):
        refused = client.get(wrong, headers=bearer(practice))
        assert refused.status_code == 400 and refused.json["error"]["code"] == "invalid_cursor"
    other = client.get(f"/alert-deliveries?status=pending&limit=3&cursor={cursor}",
                       headers=bearer(new_id()))
    assert other.status_code == 200 and other.json["deliveries"] == []  # its own rows only
