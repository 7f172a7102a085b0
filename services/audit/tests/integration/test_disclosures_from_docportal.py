"""The accounting of disclosures from the events docportal's own use cases publish.

Docportal's service layer shares, the recipient claims through the mailed link and the
sender revokes; docportal's outbox rows are what its relay would publish, and they reach
audit's record exactly as the audit.all consumer would handle them.
"""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from audit_harness import new_id
from sqlalchemy import select

from audit.domain.disclosures import accounting_start
from audit.service_layer.disclosures import disclosure_accounting
from audit.service_layer.queries import Scope
from servicekit.messaging.envelope import decode_event
from servicekit.migrations import upgrade

docportal = pytest.importorskip("docportal")

from docportal.adapters.mailer import SmtpShareMailer  # noqa: E402
from docportal.adapters.repository import DocumentRepository  # noqa: E402
from docportal.domain.documents import Document, DocumentKind  # noqa: E402
from docportal.service_layer.callers import Recipient, Staff  # noqa: E402
from docportal.service_layer.recipients import open_share_link  # noqa: E402
from docportal.service_layer.shares import (  # noqa: E402
    ShareMailSettings,
    revoke_share,
    send_share,
)
from docportal.spec import SPEC as DOCPORTAL  # noqa: E402

pytestmark = pytest.mark.integration
LINK = re.compile(r"/s/([A-Za-z0-9_-]{43})")


@pytest.fixture
def portal(tmp_path):
    url = f"sqlite:///{tmp_path / 'docportal.db'}"
    upgrade(DOCPORTAL.migrations_dir, url)
    runtime = DOCPORTAL.runtime(DOCPORTAL.load_config(database_url=url, local_dir=tmp_path))
    yield runtime
    runtime.close()


def filed(portal, org, patient, kind, filename) -> str:
    document = Document(new_id(), org, patient, kind, filename, "application/pdf", 100,
                        "u-sender", datetime.now(UTC))
    with portal.uow() as uow:
        DocumentRepository(uow.session).add(document, "0" * 64)
        uow.commit()
    return document.id


def published(portal) -> list:
    outbox = portal.messaging.outbox
    with portal.engine.connect() as conn:
        payloads = conn.execute(select(outbox.c.payload).order_by(outbox.c.id)).scalars().all()
    return [decode_event(p) for p in payloads]


def test_a_share_claimed_and_revoked_in_docportal_is_accounted_for(
        portal, audit, feed, mail_sink):
    org, patient = new_id(), f"patient-{uuid.uuid4().hex[:8]}"
    staff = Staff("u-sender", org, "sender@sunrise.example", "PT")
    email = f"dr.lee+{uuid.uuid4().hex[:8]}@example.org"
    plan = filed(portal, org, patient, DocumentKind.PLAN_OF_CARE, "Jane Doe plan.pdf")
    note = filed(portal, org, patient, DocumentKind.NOTE, "Jane Doe visit.pdf")
    mail = ShareMailSettings(SmtpShareMailer(mail_sink.url, "portal@sunrise.example"),
                             "https://clinic.example/portal")
    now = datetime.now(UTC)

    share = send_share(portal.uow(), mail, staff, document_ids=[plan, note],
                       recipient_email=email, purpose="other", now=now,
                       purpose_description="second opinion requested by the patient",
                       message="Jane Doe, as discussed").share
    token = LINK.search(mail_sink.to(email)[-1].get_content()).group(1)
    open_share_link(portal.uow(), token, Recipient("acct-lee", email), "browser",
                    now + timedelta(minutes=5))
    revoke_share(portal.uow(), staff, share.id, now + timedelta(minutes=10))
    events = published(portal)
    feed(*events)

    accounting = disclosure_accounting(audit.uow(), Scope(org), patient,
                                       accounting_start(now), now + timedelta(hours=1))
    [disclosure] = accounting.disclosures
    assert disclosure.share_id == share.id
    assert disclosure.recipient_email == email
    assert disclosure.description == "1 plan of care, 1 note"
    assert (disclosure.purpose, disclosure.purpose_description) == (
        "other", "second opinion requested by the patient")
    assert disclosure.claimed_at is not None and disclosure.views == 1
    assert disclosure.revoked_at is not None and disclosure.downloads == 0
    # Neither the filenames nor the sender's message left docportal in an event.
    for event in events:
        assert "Jane" not in str(event.data) and "Doe" not in str(event.data)
