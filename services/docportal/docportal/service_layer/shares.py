"""Sharing documents with an outside recipient, and what the sender does afterwards.

The share, its event and its email (in the mail outbox, ``share_mail_queue``) are committed
together, and the email is tried once right after: a mail server that is down must not lose
the share. Such a share stays "mail pending" (``mail_sent_at`` NULL) and ``docportal
mail-retry`` sends the queued email later; the sender may also reshare it at once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from docportal.adapters.repository import DocumentRepository, PracticeNames, ShareRepository
from docportal.adapters.share_mail_counts import ShareMailCounts
from docportal.domain.documents import Document
from docportal.domain.share_limits import ShareLimits, check_share_mail_allowed
from docportal.domain.shares import Share
from docportal.domain.sharing import IssuedShare, reshare, share_documents
from docportal.domain.tracking import ShareTracking, track_share
from docportal.domain.withdrawal import check_not_withdrawn
from docportal.events.shares import SHARE_RESHARED, SHARE_REVOKED, SHARE_SENT
from docportal.service_layer.callers import Staff
from docportal.service_layer.errors import DocumentNotFound, ShareNotFound
from docportal.service_layer.ports import ShareMail, ShareMailer
from docportal.service_layer.share_mail_queue import (
    queue_share_mail,
    send_queued_share_mail,
    share_mail_progress,
    withdraw_share_mail,
)
from servicekit.db import UnitOfWork
from servicekit.messaging.definitions import EventDefinition
from servicekit.messaging.envelope import Event, Subject

log = logging.getLogger("docportal.shares")

#: Used until identity.practice.created has reached the practice-name projection.
UNKNOWN_PRACTICE = "Your healthcare provider"


@dataclass(frozen=True)
class SentShare:
    share: Share
    mail_sent: bool


@dataclass(frozen=True)
class ShareMailSettings:
    mailer: ShareMailer
    portal_base_url: str
    limits: ShareLimits = ShareLimits()


def share_link(portal_base_url: str, token: str) -> str:
    return f"{portal_base_url.rstrip('/')}/s/{token}"


def send_share(
    uow: UnitOfWork, mail: ShareMailSettings, staff: Staff, *, document_ids: Sequence[str],
    recipient_email: str, purpose: str, now: datetime, purpose_description: str | None = None,
    message: str | None = None,
) -> SentShare:
    """Share documents of one patient of the caller's practice and email the link."""
    with uow:
        found = {d.id: d for d in DocumentRepository(uow.session).get_many(staff.org_id,
                                                                             document_ids)}
        missing = [document_id for document_id in document_ids if document_id not in found]
        if missing:
            raise DocumentNotFound(
                "Some of the documents are not in your practice; reload the patient's "
                "documents and choose again.", {"document_ids": missing})
        for document in found.values():
            check_not_withdrawn(document)
        issued = share_documents(
            [found[document_id] for document_id in document_ids],
            recipient_email=recipient_email, purpose=purpose, shared_by=staff.user_id, now=now,
            purpose_description=purpose_description, message=message)
        _within_share_limits(uow, mail.limits, staff, issued.share.recipient_email, now)
        ShareRepository(uow.session).add(issued.share)
        uow.publish(_share_event(SHARE_SENT, issued.share, staff, list(found.values())))
        key = _queue_mail(uow, mail, staff, issued, now)
        uow.commit()
    return SentShare(issued.share, send_queued_share_mail(uow, mail.mailer, key, now))


def reshare_share(
    uow: UnitOfWork, mail: ShareMailSettings, staff: Staff, share_id: str, *, now: datetime,
    message: str | None = None,
) -> SentShare:
    """Send the share again with a new link; the old link stops working at once."""
    with uow:
        shares = ShareRepository(uow.session)
        old = _get(shares, staff, share_id, for_update=True)
        documents = DocumentRepository(uow.session).get_many(staff.org_id, old.document_ids)
        issued = reshare(old, shared_by=staff.user_id, now=now, message=message)
        # After the share's own state: a claimed share says so before a withdrawn document.
        for document in documents:
            check_not_withdrawn(document)
        _within_share_limits(uow, mail.limits, staff, old.recipient_email, now)
        shares.save_state(old)
        shares.add(issued.share)
        uow.publish(_share_event(SHARE_RESHARED, issued.share, staff, documents,
                                 supersedes_id=old.id))
        withdraw_share_mail(uow.session, old.id, now)
        key = _queue_mail(uow, mail, staff, issued, now)
        uow.commit()
    return SentShare(issued.share, send_queued_share_mail(uow, mail.mailer, key, now))


def revoke_share(uow: UnitOfWork, staff: Staff, share_id: str, now: datetime) -> Share:
    """Stop every later open of the share; revoking twice changes nothing the second time."""
    with uow:
        shares = ShareRepository(uow.session)
        share = _get(shares, staff, share_id, for_update=True)
        if share.revoke(staff.user_id, now):
            shares.save_state(share)
            withdraw_share_mail(uow.session, share.id, now)
            uow.publish(SHARE_REVOKED.event(
                subject=Subject("share", share.id),
                org_id=share.org_id, actor=staff.actor(), patient_id=share.patient_id,
                occurred_at=now, data={"recipient_email": share.recipient_email}))
        uow.commit()
    return share


def share_tracking(
    uow: UnitOfWork, staff: Staff, share_id: str, now: datetime
) -> tuple[ShareTracking, Share]:
    """The share's status, activity, refused opens and email delivery, for its sender."""
    with uow:
        shares = ShareRepository(uow.session)
        share = _get(shares, staff, share_id)
        share_mail_progress(uow.session, share)
        return track_share(share, now, shares.refusals(staff.org_id, share.id)), share


def _queue_mail(uow: UnitOfWork, mail: ShareMailSettings, staff: Staff, issued: IssuedShare,
                now: datetime) -> str:
    practice = PracticeNames(uow.session).get(staff.org_id) or UNKNOWN_PRACTICE
    share = issued.share
    return queue_share_mail(uow.session, mail.mailer, share, ShareMail(
        share.recipient_email, practice, share_link(mail.portal_base_url, issued.token)), now)


def _within_share_limits(uow: UnitOfWork, limits: ShareLimits, staff: Staff,
                         recipient_email: str, now: datetime) -> None:
    """Refuse one more share mail past the sender's or the address's limit (429)."""
    counts = ShareMailCounts(uow.session)
    counts.hold(staff.org_id)
    check_share_mail_allowed(
        sent_by_sender=counts.sent_by(staff.org_id, staff.user_id, now - limits.sender_window),
        sent_to_recipient=counts.sent_to(staff.org_id, recipient_email,
                                         now - limits.recipient_window),
        now=now, limits=limits)


def _get(shares: ShareRepository, staff: Staff, share_id: str, *, for_update: bool = False
         ) -> Share:
    share = shares.get(staff.org_id, share_id, for_update=for_update)
    if share is None:
        raise ShareNotFound("There is no such share in your practice; check the link.",
                            {"share_id": share_id})
    return share


def _share_event(definition: EventDefinition, share: Share, staff: Staff,
                 documents: Sequence[Document], **data: object) -> Event:
    # The audit's accounting of disclosures reads these: what went to whom and why. The
    # documents are described by kind only (a filename may name the patient), and the
    # sender's message stays out; the purpose description is the recorded purpose itself.
    kinds = {d.id: str(d.kind) for d in documents}
    return definition.event(
        subject=Subject("share", share.id), org_id=share.org_id,
        actor=staff.actor(), patient_id=share.patient_id, occurred_at=share.sent_at,
        data={"document_ids": list(share.document_ids), "recipient_email": share.recipient_email,
              "purpose": str(share.purpose), "purpose_description": share.purpose_description,
              "documents": [{"id": d, "kind": kinds.get(d)} for d in share.document_ids],
              "claim_deadline": share.claim_deadline.isoformat(),
              "record_count": len(share.document_ids), **data})
