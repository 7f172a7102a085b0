"""Staff withdraw a document filed in the wrong chart (``domain/withdrawal.py``)."""

from __future__ import annotations

from datetime import datetime

from docportal.adapters.repository import DocumentRepository, ShareRepository
from docportal.domain.documents import Document
from docportal.domain.withdrawal import withdraw_document
from docportal.events.documents import DOCUMENT_WITHDRAWN
from docportal.events.shares import SHARE_REVOKED
from docportal.service_layer.callers import Staff
from docportal.service_layer.errors import DocumentNotFound
from docportal.service_layer.share_mail_queue import withdraw_share_mail
from servicekit.db import UnitOfWork
from servicekit.messaging.envelope import Subject

WITHDRAWN_EVENT = DOCUMENT_WITHDRAWN.type


def withdraw(uow: UnitOfWork, staff: Staff, document_id: str, *, reason: str,
             now: datetime) -> Document:
    """Withdraw the practice's document and revoke its open shares, in one transaction.

    A second withdrawal answers the document as the first left it and emits nothing. The
    events carry ids only: the reason is free text that may name a patient, so it stays on
    the row.
    """
    with uow:
        documents = DocumentRepository(uow.session)
        document = documents.get(staff.org_id, document_id, for_update=True)
        if document is None:
            raise DocumentNotFound(
                "There is no such document in your practice; check the link or search the "
                "patient's documents again.", {"document_id": document_id})
        shares = ShareRepository(uow.session)
        held = shares.with_document(staff.org_id, document_id, for_update=True)
        withdrawal = withdraw_document(document, held, withdrawn_by=staff.user_id,
                                       reason=reason, now=now)
        if withdrawal.withdrawn_now:
            documents.save_withdrawal(withdrawal.document)
            for share in withdrawal.revoked:
                shares.save_state(share)
                withdraw_share_mail(uow.session, share.id, now)
                uow.publish(SHARE_REVOKED.event(
                    subject=Subject("share", share.id),
                    org_id=share.org_id, actor=staff.actor(), patient_id=share.patient_id,
                    occurred_at=now, data={"recipient_email": share.recipient_email,
                                           "withdrawn_document_id": document_id}))
            uow.publish(DOCUMENT_WITHDRAWN.event(
                subject=Subject("document", document_id),
                org_id=staff.org_id, actor=staff.actor(), patient_id=document.patient_id,
                occurred_at=now,
                data={"revoked_share_ids": [share.id for share in withdrawal.revoked]}))
        uow.commit()
    return withdrawal.document
