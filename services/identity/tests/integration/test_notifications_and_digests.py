"""Notifications and digests in a dental practice, on SQLite and PostgreSQL: each person's
choices (GET/PATCH /me/notifications), the treatment plan events notes publishes mailed to
whoever chose them (once per event and person, even redelivered), and the digests with real
figures (never to Front Desk, never twice for one period), also through the CLI."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from identity.adapters.activity_mail import SmtpActivityMailer
from identity.adapters.activity_tables import notification_mails
from identity.adapters.tables import messaging
from identity.cli import main
from identity.service_layer.activity_events import QUEUE, record_activity
from identity.service_layer.digests import send_due_digests
from identity.service_layer.notification_delivery import deliver_notifications
from identity.service_layer.practices import create_practice
from identity.spec import SPEC
from servicekit.messaging.envelope import Actor, Subject, new_event

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery staple"
PATIENT_ID = "6a3f0c52-0000-4000-8000-00000000beef"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def dental(ident, add_person):
    """Smile Dental: its owner (Admin), two dentists and a Front Desk member; their emails."""
    tag = uuid.uuid4().hex[:8]
    owner = f"owner-{tag}@smiledental.example"
    created = create_practice(ident.uow(), name="Smile Dental", owner_email=owner,
                              owner_password=PASSWORD, catalog=ident.catalog,
                              hashing=ident.hashing, model="dental")
    practice = SimpleNamespace(id=created.practice_id, owner_id=created.owner_id,
                               clinic_id=created.clinic_id, users={"owner": created.owner_id})
    emails = {"owner": owner}
    for name, user_type in [("dentist", "Dentist"), ("other_dentist", "Dentist"),
                            ("front_desk", "Front Desk")]:
        emails[name] = f"{name}-{tag}@smiledental.example"
        add_person(practice, name, user_type, emails[name])
    practice.emails = emails
    return practice


@pytest.fixture
def mailer(ident, mail_sink):
    return SmtpActivityMailer(mail_sink.url, "Clinic Platform <no-reply@clinicplatform.example>",
                              staff_app_url="http://127.0.0.1:8080/app",
                              vendor_name="Clinic Platform")


def consume(ident, event) -> None:
    """As the identity.activity consumer does: the inbox, then the handler, one commit."""
    with ident.uow() as uow:
        if messaging.mark_processed(uow.session, QUEUE, [event.id]):
            record_activity(uow, event)
        uow.commit()


def plan_event(practice, verb: str, *, practitioner: str = "dentist", total_cents: int = 125000):
    return new_event(
        f"notes.treatment_plan.{verb}", subject=Subject("treatment_plan", str(uuid.uuid4())),
        org_id=practice.id, patient_id=PATIENT_ID,
        data={"plan_id": str(uuid.uuid4()), "patient_id": PATIENT_ID,
              "clinic_id": practice.clinic_id,
              "practitioner_user_id": practice.users[practitioner],
              "total_cents": total_cents, "currency": "AUD", "item_count": 2})


def my_choices(client, login, email: str) -> tuple[dict, dict]:
    headers = bearer(login(email)["access_token"])
    answer = client.get("/me/notifications", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json(), headers


def test_each_person_starts_from_their_roles_defaults(client, login, dental):
    owner, _ = my_choices(client, login, dental.emails["owner"])
    assert owner["notifications"] == ["proceed_with_treatment_plan"]
    assert owner["digests"] == ["practice_digest"]
    front_desk, _ = my_choices(client, login, dental.emails["front_desk"])
    assert front_desk["notifications"] == ["payment_plan_accepted", "payment_plan_requested",
                                           "proceed_with_plan"]
    assert front_desk["digests"] == front_desk["digests_available"] == []
    dentist, _ = my_choices(client, login, dental.emails["dentist"])
    assert dentist["notifications"] == [] and dentist["notification_scope"] == "own_patients"
    assert dentist["digests"] == ["practitioner_digest"]


def test_a_person_changes_their_own_choices_and_the_change_is_evented(client, login, dental,
                                                                      ident):
    _, headers = my_choices(client, login, dental.emails["dentist"])
    changed = client.patch("/me/notifications", headers=headers, json={
        "notifications": {"proceed_with_treatment_plan": True},
        "digests": {"practitioner_digest": False}})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["notifications"] == ["proceed_with_treatment_plan"]
    assert changed.get_json()["digests"] == []
    assert client.get("/me/notifications", headers=headers).get_json() == changed.get_json()
    with ident.uow() as uow:
        [payload] = uow.session.execute(select(messaging.outbox.c.payload).where(
            messaging.outbox.c.event_type == "identity.user.notification_preferences_changed"
        )).scalars().all()
    assert json.loads(payload)["subject"]["id"] == dental.users["dentist"]


def test_front_desk_cannot_turn_a_digest_on(client, login, dental):
    _, headers = my_choices(client, login, dental.emails["front_desk"])
    refused = client.patch("/me/notifications", headers=headers,
                           json={"digests": {"practice_digest": True}})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"]["available"] == []
    assert "Choose among" in refused.get_json()["error"]["message"]


def test_a_proceeded_plan_mails_the_owner_and_front_desk_without_patient_data(
        ident, dental, mailer, mail_sink):
    consume(ident, plan_event(dental, "proceeded"))
    done = deliver_notifications(ident.uow(), mailer, ident.now)
    assert (done.sent, done.failed) == (2, 0)
    for who in ("owner", "front_desk"):
        [mail] = mail_sink.to(dental.emails[who])
        body = mail.get_content()
        assert "proceed with a treatment plan" in body and "Smile Dental" in body
        assert "1,250.00 AUD" in body and "/app/notifications" in body
        assert PATIENT_ID not in body and PATIENT_ID not in mail["Subject"]
    assert not mail_sink.to(dental.emails["dentist"])


def test_payment_plan_events_mail_front_desk_only_by_default(ident, dental, mailer, mail_sink):
    consume(ident, plan_event(dental, "payment_plan_requested"))
    consume(ident, plan_event(dental, "payment_plan_accepted"))
    consume(ident, plan_event(dental, "opened"))
    deliver_notifications(ident.uow(), mailer, ident.now)
    subjects = sorted(m["Subject"] for m in mail_sink.to(dental.emails["front_desk"]))
    assert [s.split(" at ")[0] for s in subjects] == [
        "A patient accepted a payment plan", "A patient requested a payment plan"]
    assert not mail_sink.to(dental.emails["owner"])


def test_a_redelivered_event_mails_each_person_once(ident, dental, mailer, mail_sink):
    event = plan_event(dental, "proceeded")
    consume(ident, event)
    consume(ident, event)  # redelivered: the inbox stops it
    with ident.uow() as uow:  # even past the inbox, the (event, person) key owes one mail
        record_activity(uow, event)
        uow.commit()
    deliver_notifications(ident.uow(), mailer, ident.now)
    deliver_notifications(ident.uow(), mailer, ident.now)
    assert len(mail_sink.to(dental.emails["owner"])) == 1
    assert len(mail_sink.to(dental.emails["front_desk"])) == 1
    with ident.uow() as uow:
        owed = uow.session.execute(select(func.count()).select_from(notification_mails).where(
            notification_mails.c.event_id == event.id)).scalar_one()
    assert owed == 2


def test_a_practitioner_who_opted_in_hears_of_their_own_patients_plans_only(
        client, login, ident, dental, mailer, mail_sink):
    _, headers = my_choices(client, login, dental.emails["dentist"])
    assert client.patch("/me/notifications", headers=headers, json={
        "notifications": {"proceed_with_treatment_plan": True}}).status_code == 200
    consume(ident, plan_event(dental, "proceeded", practitioner="other_dentist"))
    deliver_notifications(ident.uow(), mailer, ident.now)
    assert not mail_sink.to(dental.emails["dentist"])
    consume(ident, plan_event(dental, "proceeded", practitioner="dentist"))
    deliver_notifications(ident.uow(), mailer, ident.now)
    assert len(mail_sink.to(dental.emails["dentist"])) == 1


def practice_activity(dental) -> list:
    dentist = dental.users["dentist"]
    share_id = str(uuid.uuid4())
    at = {"org_id": dental.id}
    return [
        new_event("notes.note.finalized", subject=Subject("note", str(uuid.uuid4())),
                  actor=Actor(dentist), data={"finalized_by_id": dentist}, **at),
        new_event("docportal.share.sent", subject=Subject("share", share_id),
                  actor=Actor(dentist), data={"document_ids": ["d1", "d2"]}, **at),
        new_event("docportal.document.viewed", subject=Subject("document", "d1"),
                  data={"share_id": share_id, "by": "recipient"}, **at),
        new_event("identity.invitation.sent", subject=Subject("invitation", "i1"),
                  actor=Actor(dental.owner_id), **at),
        plan_event(dental, "sent"), plan_event(dental, "sent", practitioner="other_dentist",
                                               total_cents=50000),
        plan_event(dental, "opened"), plan_event(dental, "proceeded"),
    ]


def test_digests_carry_real_figures_go_once_and_never_to_front_desk(ident, dental, mailer,
                                                                     mail_sink):
    for event in practice_activity(dental):
        consume(ident, event)
    done = send_due_digests(ident.uow(), mailer, ident.catalog, datetime.now(UTC),
                            in_course=True)
    assert (done.sent, done.failed) == (3, 0)  # owner, and each dentist
    [practice_digest] = [m for m in mail_sink.to(dental.emails["owner"])
                         if "Practice Digest" in m["Subject"]]
    body = practice_digest.get_content()
    assert "Notes finalized: 1" in body and "Documents shared: 2" in body
    assert "Shared documents viewed: 1" in body and "Invitations sent: 1" in body
    assert "Treatment plans sent: 2 (value 1,750.00 AUD)" in body
    assert "Treatment plans opened: 1" in body
    assert "Treatment plans proceeded with: 1 (value 1,250.00 AUD)" in body
    assert "Dentist" in body  # each practitioner's own lines
    [own] = mail_sink.to(dental.emails["dentist"])
    assert "Practitioner Digest" in own["Subject"]
    assert "Treatment plans sent: 1 (value 1,250.00 AUD)" in own.get_content()
    assert "Shared documents viewed: 1" in own.get_content()
    assert not mail_sink.to(dental.emails["front_desk"])
    again = send_due_digests(ident.uow(), mailer, ident.catalog, datetime.now(UTC),
                             in_course=True)
    assert (again.sent, again.already_sent) == (0, 3)


def test_identity_digests_send_now_mails_the_due_digests_once(
        app, ident, dental, mail_sink, database_url, tmp_path, monkeypatch):
    consume(ident, plan_event(dental, "sent"))
    monkeypatch.setenv("IDENTITY_DATABASE_URL", database_url)
    monkeypatch.setenv("LOCAL_DIR", str(tmp_path))
    monkeypatch.setenv("SMTP_URL", mail_sink.url)
    first = CliRunner().invoke(main, ["digests", "send", "--now"])
    assert first.exit_code == 0, first.output
    assert "3 digests sent" in first.output
    [digest] = mail_sink.to(dental.emails["owner"])
    assert "Treatment plans sent: 1 (value 1,250.00 AUD)" in digest.get_content()
    second = CliRunner().invoke(main, ["digests", "send", "--now"])
    assert "0 digests sent" in second.output and "3 already sent" in second.output
    assert len(mail_sink.to(dental.emails["owner"])) == 1
    assert not mail_sink.to(dental.emails["front_desk"])


def test_the_activity_subscription_listens_to_the_events_the_digests_report():
    [subscription] = SPEC.subscriptions
    assert subscription.queue == "identity.activity"
    assert {"notes.treatment_plan.#", "notes.note.finalized", "docportal.share.sent",
            "docportal.document.viewed", "identity.invitation.sent"} <= set(
        subscription.bindings)


def test_mails_the_server_refused_go_out_from_the_mail_outbox_once_it_is_back(
        ident, dental, mail_sink, dead_smtp_url):
    from datetime import timedelta

    from identity.adapters.activity_tables import sent_digests
    from identity.adapters.mail_outbox import MAIL_OUTBOX
    from servicekit.mail_delivery import deliver_due
    down = SmtpActivityMailer(dead_smtp_url, "x@clinic.example",
                              staff_app_url="http://127.0.0.1:8080/app", vendor_name="Clinic")
    back = SmtpActivityMailer(mail_sink.url, "x@clinic.example",
                              staff_app_url="http://127.0.0.1:8080/app", vendor_name="Clinic")
    consume(ident, plan_event(dental, "proceeded"))
    assert deliver_notifications(ident.uow(), down, ident.now).failed == 2
    assert send_due_digests(ident.uow(), down, ident.catalog, datetime.now(UTC),
                            in_course=True).failed == 3
    assert deliver_notifications(ident.uow(), back, ident.now).sent == 0  # queued already

    later = datetime.now(UTC) + timedelta(minutes=5)
    assert deliver_due(ident.uow(), MAIL_OUTBOX, back, lambda: later).sent == 5

    assert len(mail_sink.to(dental.emails["owner"])) == 2  # the notification, the digest
    assert len(mail_sink.to(dental.emails["front_desk"])) == 1
    with ident.uow() as uow:
        delivered = uow.session.execute(select(sent_digests.c.delivered).where(
            sent_digests.c.org_id == dental.id)).scalars().all()
    assert delivered == [True, True, True]



def test_digests_the_mail_worker_sends_right_after_the_commands_commit_count_as_sent(
        ident, dental, mailer, mail_sink, monkeypatch):
    """`identity digests send --now` while the stack's mail worker passes over the outbox
    between the command's commit and its own attempt: nothing fails, nothing goes twice."""
    from identity.adapters.mail_outbox import MAIL_OUTBOX
    from servicekit.db import UnitOfWork
    from servicekit.mail_delivery import deliver_due
    consume(ident, plan_event(dental, "sent"))
    worker: list = []
    commit = UnitOfWork.commit

    def commit_then_the_worker_passes(uow):
        commit(uow)
        if not worker:  # once: the worker's own commits pass straight through
            worker.append(None)
            worker[0] = deliver_due(ident.uow(), MAIL_OUTBOX, mailer, ident.now)

    monkeypatch.setattr(UnitOfWork, "commit", commit_then_the_worker_passes)
    done = send_due_digests(ident.uow(), mailer, ident.catalog, datetime.now(UTC),
                            in_course=True)
    assert worker[0].sent == 3  # the worker took the command's three digests
    assert (done.sent, done.failed, done.already_sent) == (0, 0, 3)
    assert len(mail_sink.to(dental.emails["owner"])) == 1
    assert len(mail_sink.to(dental.emails["dentist"])) == 1


def test_identity_digests_send_now_exits_0_when_the_mail_worker_sent_them_meanwhile(
        ident, dental, mailer, mail_sink, database_url, tmp_path, monkeypatch):
    from identity.adapters.mail_outbox import MAIL_OUTBOX
    from servicekit.db import UnitOfWork
    from servicekit.mail_delivery import deliver_due
    consume(ident, plan_event(dental, "sent"))
    monkeypatch.setenv("IDENTITY_DATABASE_URL", database_url)
    monkeypatch.setenv("LOCAL_DIR", str(tmp_path))
    monkeypatch.setenv("SMTP_URL", mail_sink.url)
    worker: list = []
    commit = UnitOfWork.commit

    def commit_then_the_worker_passes(uow):
        commit(uow)
        if not worker:
            worker.append(None)
            worker[0] = deliver_due(ident.uow(), MAIL_OUTBOX, mailer, ident.now)

    monkeypatch.setattr(UnitOfWork, "commit", commit_then_the_worker_passes)
    ran = CliRunner().invoke(main, ["digests", "send", "--now"])
    assert ran.exit_code == 0, ran.output
    assert "0 digests sent, 0 failed, 3 already sent" in ran.output
    assert worker[0].sent == 3 and len(mail_sink.to(dental.emails["owner"])) == 1


def test_a_clash_on_a_digests_claim_with_another_sender_is_already_sent(
        ident, dental, mailer, mail_sink, monkeypatch, database_url):
    """The other sender's claim commits in the same instant and the database reports the
    unique key's clash: the command looks again and finds the digests sent, exit 0."""
    from sqlalchemy.exc import IntegrityError

    from identity.adapters.activity_repository import SentDigests
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serializes the two senders' writes: no clash to report")
    consume(ident, plan_event(dental, "sent"))
    claim, clashed = SentDigests.claim, []

    def clashing_claim(self, *args, **kwargs):
        if not clashed:  # once: the other sender's own claims pass straight through
            clashed.append(None)
            clashed[0] = send_due_digests(ident.uow(), mailer, ident.catalog,
                                          datetime.now(UTC), in_course=True)
            raise IntegrityError("INSERT INTO sent_digests ...", {},
                                 Exception("duplicate key value violates unique constraint"))
        return claim(self, *args, **kwargs)

    monkeypatch.setattr(SentDigests, "claim", clashing_claim)
    done = send_due_digests(ident.uow(), mailer, ident.catalog, datetime.now(UTC),
                            in_course=True)
    assert clashed[0].sent == 3
    assert (done.sent, done.failed, done.already_sent) == (0, 0, 3)
    assert len(mail_sink.to(dental.emails["owner"])) == 1


def test_two_senders_of_one_period_at_once_mail_each_digest_once_and_neither_fails(
        ident, dental, mailer, mail_sink):
    """Two commands and the mail worker on one period, started together."""
    import threading

    from identity.adapters.mail_outbox import MAIL_OUTBOX
    from servicekit.mail_delivery import deliver_due
    consume(ident, plan_event(dental, "sent"))
    now = datetime.now(UTC)
    start, results = threading.Barrier(3), {}

    def sender(name):
        start.wait()
        results[name] = send_due_digests(ident.uow(), mailer, ident.catalog, now,
                                         in_course=True)

    def worker():
        start.wait()
        results["worker"] = [deliver_due(ident.uow(), MAIL_OUTBOX, mailer, ident.now)
                             for _ in range(20)]

    threads = [threading.Thread(target=sender, args=(n,)) for n in ("cli", "other")]
    threads.append(threading.Thread(target=worker))
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    cli, other = results["cli"], results["other"]
    assert (cli.failed, other.failed) == (0, 0)
    assert cli.sent + other.sent + sum(p.sent for p in results["worker"]) == 3
    assert cli.sent + cli.already_sent == 3 and other.sent + other.already_sent == 3
    assert len(mail_sink.to(dental.emails["owner"])) == 1
