"""The mail outbox: a mail is queued with its change, retried with backoff until the mail
server takes it, queued once per key, and sent once even with two workers; its text is kept
sealed, and a text that does not open is given up, never sent."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from prometheus_client import REGISTRY
from sqlalchemy import MetaData, select
from sqlalchemy.orm import sessionmaker

from servicekit.db import UnitOfWork, make_engine
from servicekit.mail import SmtpMailer
from servicekit.mail_delivery import UNREADABLE, DeliveryPass, deliver_due, deliver_now
from servicekit.mail_outbox import (
    GIVEN_UP,
    PENDING,
    SEALED_PREFIX,
    SENT,
    Backoff,
    MailOutbox,
    MailSeal,
    MailSealMissing,
    mail_outbox_table,
    mail_seal_info,
)
from servicekit.messaging.tables import messaging_tables
from servicekit.metrics import process_service
from servicekit_testing.servers import HOST, MailSink, free_port

pytestmark = pytest.mark.integration

SECRET = "test-mail-outbox-secret"


def sealed_uows(engine, messaging, secret: str | None = SECRET):
    """Units of work whose sessions carry the seal of ``secret`` (None: no seal)."""
    sessions = sessionmaker(engine, info=mail_seal_info(MailSeal(secret) if secret else None))
    return lambda: UnitOfWork(sessions, messaging)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request, tmp_path):
    if request.param == "postgresql":
        return request.getfixturevalue("make_database")()
    return f"sqlite:///{tmp_path / 'mail.db'}"


@pytest.fixture
def outbox_parts(database_url):
    metadata = MetaData()
    messaging = messaging_tables(metadata)
    outbox = MailOutbox(mail_outbox_table(metadata), Backoff(max_attempts=3))
    engine = make_engine(database_url)
    metadata.create_all(engine)
    yield outbox, messaging, engine
    engine.dispose()


@pytest.fixture
def outbox_db(outbox_parts):
    outbox, messaging, engine = outbox_parts
    return outbox, sealed_uows(engine, messaging), engine


@pytest.fixture
def other_uows(outbox_parts):
    """``secret`` -> units of work on the same database sealing under that secret."""
    _, messaging, engine = outbox_parts
    return lambda secret: sealed_uows(engine, messaging, secret)


class SinkServer:
    """An SMTP sink on a port of its own that a test may stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.sink = MailSink(f"smtp://{HOST}:{self.port}")
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.sink, hostname=HOST, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def sink_server():
    server = SinkServer()
    yield server
    server.stop()


def queue(uow, outbox, mailer, to, clock, key=None, commit=True):
    key = key or f"test:{uuid.uuid4()}"
    with uow:
        outbox.add(uow.session, mailer.message(to, "Your link", "Open it here."), key=key,
                   kind="test", now=clock())
        if commit:
            uow.commit()
    return key


def status(uow, outbox, key):
    with uow:
        return outbox.status(uow.session, key)


def attempts(kind, outcome):
    return REGISTRY.get_sample_value("mail_outbox_attempts_total", {
        "service": process_service(), "kind": kind, "outcome": outcome}) or 0


def test_a_mail_the_server_refused_is_sent_once_the_server_is_back(outbox_db, sink_server):
    outbox, uow_factory, _ = outbox_db
    mailer, clock, to = SmtpMailer(sink_server.sink.url, "clinic@example.org"), Clock(), \
        f"{uuid.uuid4().hex}@example.org"
    failed_before = attempts("test", "failed")
    key = queue(uow_factory(), outbox, mailer, to, clock)

    assert deliver_now(uow_factory(), outbox, mailer, key, clock) is False  # server down
    assert status(uow_factory(), outbox, key) == PENDING
    assert attempts("test", "failed") == failed_before + 1
    assert deliver_due(uow_factory(), outbox, mailer, clock).sent == 0  # not due yet

    sink_server.start()
    clock.advance(Backoff().first)
    assert deliver_due(uow_factory(), outbox, mailer, clock).sent == 1
    assert [m["Subject"] for m in sink_server.sink.to(to)] == ["Your link"]
    assert status(uow_factory(), outbox, key) == SENT
    clock.advance(timedelta(hours=2))
    assert deliver_due(uow_factory(), outbox, mailer, clock).sent == 0
    assert len(sink_server.sink.to(to)) == 1


def test_a_rolled_back_change_mails_nothing(outbox_db, mail_sink):
    outbox, uow_factory, _ = outbox_db
    mailer, clock, to = SmtpMailer(mail_sink.url, "clinic@example.org"), Clock(), \
        f"{uuid.uuid4().hex}@example.org"
    key = queue(uow_factory(), outbox, mailer, to, clock, commit=False)

    assert deliver_now(uow_factory(), outbox, mailer, key, clock) is False
    assert deliver_due(uow_factory(), outbox, mailer, clock).sent == 0
    assert status(uow_factory(), outbox, key) is None
    assert mail_sink.to(to) == []


def test_one_key_queues_one_mail(outbox_db, mail_sink):
    outbox, uow_factory, _ = outbox_db
    mailer, clock, to = SmtpMailer(mail_sink.url, "clinic@example.org"), Clock(), \
        f"{uuid.uuid4().hex}@example.org"
    key = queue(uow_factory(), outbox, mailer, to, clock)
    queue(uow_factory(), outbox, mailer, to, clock, key=key)

    assert deliver_due(uow_factory(), outbox, mailer, clock).sent == 1
    assert len(mail_sink.to(to)) == 1


def test_a_mail_is_given_up_after_its_last_attempt(outbox_db, dead_smtp_url):
    outbox, uow_factory, engine = outbox_db
    mailer, clock = SmtpMailer(dead_smtp_url, "clinic@example.org"), Clock()
    key = queue(uow_factory(), outbox, mailer, "someone@example.org", clock)
    for _ in range(outbox.backoff.max_attempts):
        deliver_due(uow_factory(), outbox, mailer, clock)
        clock.advance(Backoff().last)

    assert status(uow_factory(), outbox, key) == GIVEN_UP
    assert deliver_due(uow_factory(), outbox, mailer, clock) == DeliveryPass()  # never again
    with engine.connect() as conn:
        row = conn.execute(select(outbox.table).where(outbox.table.c.key == key)).one()
    assert row.last_error == "ConnectionRefusedError"
    assert row.next_attempt_at is None


def test_two_workers_send_each_mail_once(make_database, mail_sink):
    metadata = MetaData()
    messaging = messaging_tables(metadata)
    outbox = MailOutbox(mail_outbox_table(metadata))
    engine = make_engine(make_database())
    metadata.create_all(engine)
    uow_factory = sealed_uows(engine, messaging)
    mailer, clock = SmtpMailer(mail_sink.url, "clinic@example.org"), Clock()
    batch = uuid.uuid4().hex[:8]
    addresses = [f"{batch}-{n}@example.org" for n in range(40)]
    with uow_factory() as uow:
        for to in addresses:
            outbox.add(uow.session, mailer.message(to, "Hello", "Hi."), key=f"test:{to}",
                       kind="test", now=clock())
        uow.commit()

    results = []
    workers = [threading.Thread(target=lambda: results.append(
        deliver_due(uow_factory(), outbox, mailer, clock))) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    engine.dispose()

    assert sum(done.sent for done in results) == len(addresses)
    assert all(len(mail_sink.to(to)) == 1 for to in addresses)


def test_the_kinds_hook_records_the_sending_in_the_same_transaction(outbox_db, mail_sink):
    outbox, uow_factory, _ = outbox_db
    recorded = []
    hooked = MailOutbox(outbox.table, on_sent={"test": lambda uow, key: recorded.append(key)})
    mailer, clock = SmtpMailer(mail_sink.url, "clinic@example.org"), Clock()
    key = queue(uow_factory(), hooked, mailer, f"{uuid.uuid4().hex}@example.org", clock)

    assert deliver_now(uow_factory(), hooked, mailer, key, clock) is True
    assert recorded == [key]


def test_a_mail_whose_link_expired_is_given_up_unsent(outbox_db, sink_server):
    outbox, uow_factory, engine = outbox_db
    mailer, clock, to = SmtpMailer(sink_server.sink.url, "clinic@example.org"), Clock(), \
        f"{uuid.uuid4().hex}@example.org"
    key = f"test:{uuid.uuid4()}"
    with uow_factory() as uow:
        outbox.add(uow.session, mailer.message(to, "Reset", "Within an hour."), key=key,
                   kind="test", now=clock(), send_before=clock() + timedelta(hours=1))
        uow.commit()
    deliver_due(uow_factory(), outbox, mailer, clock)  # the server is down
    sink_server.start()
    clock.advance(timedelta(hours=1, seconds=1))

    assert deliver_due(uow_factory(), outbox, mailer, clock) == DeliveryPass(given_up=1)
    assert status(uow_factory(), outbox, key) == GIVEN_UP
    assert sink_server.sink.to(to) == []
    with engine.connect() as conn:
        assert conn.execute(select(outbox.table.c.message)
                            .where(outbox.table.c.key == key)).scalar() is None


def test_a_withdrawn_mail_is_never_sent(outbox_db, mail_sink):
    outbox, uow_factory, _ = outbox_db
    mailer, clock, to = SmtpMailer(mail_sink.url, "clinic@example.org"), Clock(), \
        f"{uuid.uuid4().hex}@example.org"
    key = queue(uow_factory(), outbox, mailer, to, clock)
    with uow_factory() as uow:
        assert outbox.withdraw(uow.session, key, clock()) is True
        assert outbox.withdraw(uow.session, key, clock()) is False  # nothing left to withdraw
        uow.commit()

    assert deliver_due(uow_factory(), outbox, mailer, clock) == DeliveryPass()
    assert status(uow_factory(), outbox, key) == GIVEN_UP and mail_sink.to(to) == []


def stored(engine, outbox, key):
    with engine.connect() as conn:
        return conn.execute(select(outbox.table).where(outbox.table.c.key == key)).one()


def link_mail(mailer, to, token):
    return mailer.message(to, "Reset your password",
                          f"Open https://portal.example/reset/{token} within an hour.")


def test_the_stored_text_holds_no_address_link_or_words_only_kind_key_and_times(
        outbox_db, mail_sink):
    outbox, uow_factory, engine = outbox_db
    mailer, clock = SmtpMailer(mail_sink.url, "clinic@example.org"), Clock()
    to, token, key = f"{uuid.uuid4().hex}@example.org", uuid.uuid4().hex, f"test:{uuid.uuid4()}"
    with uow_factory() as uow:
        outbox.add(uow.session, link_mail(mailer, to, token), key=key, kind="test", now=clock())
        uow.commit()

    row = stored(engine, outbox, key)
    assert row.message.startswith(SEALED_PREFIX)
    for clear in (to, token, "Reset your password", "portal.example", "clinic@example.org",
                  to.split("@")[0]):
        assert clear not in row.message
    assert deliver_due(uow_factory(), outbox, mailer, clock).sent == 1
    [mail] = mail_sink.to(to)  # opened again for the mail server: the same message
    assert f"https://portal.example/reset/{token}" in mail.get_content()
    assert mail["Subject"] == "Reset your password"


def test_a_text_sealed_under_another_secret_is_given_up_with_its_reason_never_sent(
        outbox_db, other_uows, mail_sink):
    outbox, uow_factory, engine = outbox_db
    mailer, clock, to = SmtpMailer(mail_sink.url, "clinic@example.org"), Clock(), \
        f"{uuid.uuid4().hex}@example.org"
    key = queue(other_uows("another-secret")(), outbox, mailer, to, clock)
    given_up_before = attempts("test", "given_up")

    assert deliver_now(uow_factory(), outbox, mailer, key, clock) is False
    assert status(uow_factory(), outbox, key) == GIVEN_UP
    row = stored(engine, outbox, key)
    assert (row.last_error, row.message, row.next_attempt_at) == (UNREADABLE, None, None)
    assert row.attempts == 1 and attempts("test", "given_up") == given_up_before + 1
    clock.advance(timedelta(days=1))  # never tried again: no loop on an unreadable mail
    assert deliver_due(uow_factory(), outbox, mailer, clock) == DeliveryPass()
    assert mail_sink.to(to) == []


def test_a_sealed_text_moved_onto_another_row_does_not_open_there(outbox_db, mail_sink):
    outbox, uow_factory, engine = outbox_db
    mailer, clock = SmtpMailer(mail_sink.url, "clinic@example.org"), Clock()
    victim, attacker = (f"{uuid.uuid4().hex}@example.org" for _ in range(2))
    token = uuid.uuid4().hex
    with uow_factory() as uow:
        outbox.add(uow.session, link_mail(mailer, victim, token), key="test:victim:" + token,
                   kind="test", now=clock())
        outbox.add(uow.session, mailer.message(attacker, "Hi", "Nothing."),
                   key="test:attacker:" + token, kind="test", now=clock())
        uow.commit()
    victims = stored(engine, outbox, "test:victim:" + token).message
    with engine.begin() as conn:  # someone with write access swaps the texts
        conn.execute(outbox.table.update().where(
            outbox.table.c.key == "test:attacker:" + token).values(message=victims))

    assert deliver_due(uow_factory(), outbox, mailer, clock) == DeliveryPass(sent=1, given_up=1)
    assert len(mail_sink.to(victim)) == 1  # the original row still goes to its recipient
    assert mail_sink.to(attacker) == []
    assert stored(engine, outbox, "test:attacker:" + token).last_error == UNREADABLE


def test_a_clear_text_queued_before_texts_were_sealed_is_still_sent(outbox_db, mail_sink):
    outbox, uow_factory, engine = outbox_db
    mailer, clock, to = SmtpMailer(mail_sink.url, "clinic@example.org"), Clock(), \
        f"{uuid.uuid4().hex}@example.org"
    key = f"test:{uuid.uuid4()}"
    with engine.begin() as conn:  # as an older release wrote it
        conn.execute(outbox.table.insert().values(
            key=key, kind="test", message=link_mail(mailer, to, "old-token").as_string(),
            created_at=clock(), attempts=0, next_attempt_at=clock()))

    assert deliver_due(uow_factory(), outbox, mailer, clock).sent == 1
    [mail] = mail_sink.to(to)
    assert "https://portal.example/reset/old-token" in mail.get_content()
    assert stored(engine, outbox, key).message is None


def test_during_a_rotation_texts_sealed_under_the_previous_secret_still_open(
        outbox_db, other_uows, mail_sink):
    outbox, _, engine = outbox_db
    mailer, clock, to = SmtpMailer(mail_sink.url, "clinic@example.org"), Clock(), \
        f"{uuid.uuid4().hex}@example.org"
    old = queue(other_uows("old-secret")(), outbox, mailer, to, clock)
    rotated = other_uows("new-secret old-secret")  # MAIL_OUTBOX_SECRET="new old"
    new = queue(rotated(), outbox, mailer, to, clock)

    assert deliver_due(rotated(), outbox, mailer, clock).sent == 2
    assert len(mail_sink.to(to)) == 2
    assert stored(engine, outbox, old).sent_at and stored(engine, outbox, new).sent_at


def test_without_a_seal_nothing_is_queued_in_clear_nor_claimed(outbox_db, other_uows, mail_sink):
    outbox, uow_factory, engine = outbox_db
    mailer, clock = SmtpMailer(mail_sink.url, "clinic@example.org"), Clock()
    unsealed = other_uows(None)
    with pytest.raises(MailSealMissing):
        queue(unsealed(), outbox, mailer, "someone@example.org", clock)
    key = queue(uow_factory(), outbox, mailer, "someone@example.org", clock)

    with pytest.raises(MailSealMissing):
        deliver_due(unsealed(), outbox, mailer, clock)
    assert stored(engine, outbox, key).attempts == 0  # not claimed, so not counted
    assert deliver_now(unsealed(), outbox, mailer, key, clock) is False  # logged, never raised
    assert status(uow_factory(), outbox, key) == PENDING
