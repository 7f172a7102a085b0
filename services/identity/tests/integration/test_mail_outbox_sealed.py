"""A reset link waiting in identity's mail outbox is sealed (docs/decisions.md §30): the row
shows no address, token or words; the mail worker opens it and the link works; a process
holding another MAIL_OUTBOX_SECRET gives the mail up instead of sending it."""

from __future__ import annotations

import re
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from identity.adapters.mail_outbox import MAIL_OUTBOX, PASSWORD_RESET
from identity.adapters.signing_keys import new_private_key_pem
from identity.adapters.tables import mail_outbox
from identity.app import create_app
from identity.spec import SPEC
from servicekit.mail import SmtpMailer
from servicekit.mail_delivery import UNREADABLE, DeliveryPass, deliver_due
from servicekit.mail_outbox import SEALED_PREFIX
from servicekit.migrations import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from identity_accounts import new_recipient  # noqa: E402

pytestmark = pytest.mark.integration
PORTAL = "http://portal.example/portal"
TOKEN = re.compile(r"\?token=([A-Za-z0-9_\-]+)")


def make_config(url: str, local_dir: Path, **overrides):
    return SPEC.load_config(local_dir=local_dir, database_url=url, bus_url="memory://",
                            jwt_private_keys=new_private_key_pem(), **overrides)


@pytest.fixture
def app(database_url, tmp_path, dead_smtp_url):
    """Identity while the mail server is away: its reset mails wait in the outbox."""
    upgrade(SPEC.migrations_dir, database_url)
    app = create_app(make_config(database_url, tmp_path, smtp_url=dead_smtp_url,
                                 portal_base_url=PORTAL))
    app.config["TESTING"] = True
    yield app
    app.extensions["servicekit.runtime"].close()


def queued_reset(app) -> tuple[str, object]:
    client, ident = app.test_client(), app.extensions["identity"]
    email = f"sealed-{uuid.uuid4().hex[:12]}@orthoclinic.example"
    new_recipient(ident, email)
    client.post("/password/forgot", json={"email": email, "account": "recipient"})
    assert ident.after_answer.drain()
    with ident.uow() as uow:
        [row] = uow.session.execute(select(mail_outbox).where(
            mail_outbox.c.kind == PASSWORD_RESET, mail_outbox.c.sent_at.is_(None))).all()
    return email, row


def test_a_waiting_reset_mail_shows_nothing_but_its_kind_key_and_times_yet_its_link_works(
        app, mail_sink):
    email, row = queued_reset(app)
    assert row.message.startswith(SEALED_PREFIX) and row.last_error  # refused once already
    for clear in (email, email.split("@")[0], "token=", PORTAL, "reset"):
        assert clear not in row.message
    assert email not in row.key

    ident = app.extensions["identity"]
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert deliver_due(ident.uow(), MAIL_OUTBOX, SmtpMailer(mail_sink.url, "a@clinic.example"),
                       lambda: later).sent == 1
    [mail] = mail_sink.to(email)
    token = TOKEN.search(mail.get_content()).group(1)
    assert app.test_client().post("/password/reset", json={
        "token": token, "password": "amber pelican thunder road"}).status_code == 204


def test_a_worker_with_another_secret_gives_the_mail_up_unsent(
        app, database_url, tmp_path, mail_sink):
    email, row = queued_reset(app)
    other = create_app(make_config(database_url, tmp_path / "other", smtp_url=mail_sink.url,
                                   mail_outbox_secret="another-mail-outbox-secret"))
    try:
        later = datetime.now(UTC) + timedelta(minutes=5)
        worker = other.extensions["identity"]
        mailer = SmtpMailer(mail_sink.url, "a@clinic.example")
        assert deliver_due(worker.uow(), MAIL_OUTBOX, mailer, lambda: later) == \
            DeliveryPass(given_up=1)
        assert deliver_due(worker.uow(), MAIL_OUTBOX, mailer, lambda: later + timedelta(
            hours=2)) == DeliveryPass()  # not tried again
    finally:
        other.extensions["servicekit.runtime"].close()
    assert mail_sink.to(email) == []
    with app.extensions["identity"].uow() as uow:
        status = uow.session.execute(select(mail_outbox.c.last_error, mail_outbox.c.message)
                                     .where(mail_outbox.c.id == row.id)).one()
    assert tuple(status) == (UNREADABLE, None)
