"""The recipient's side of a share: open the link, register from it, list, view, download.

Every refusal of someone who reached a real share (another account, a dead link) is
written to ``share_refusals`` and evented as ``docportal.share.access_refused`` in its
own committed transaction before the error goes back to the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from docportal.adapters.clinic_time_zones import ClinicTimeZones
from docportal.adapters.repository import (
    DocumentRepository,
    PracticeNames,
    ShareRepository,
    storage_key,
)
from docportal.domain.documents import Document
from docportal.domain.errors import DocportalError, SignInRequired
from docportal.domain.recipients import (
    authorize_recipient_access,
    check_registration,
    record_download,
    record_view,
    refused_attempt,
)
from docportal.domain.shares import Share, ShareStatus
from docportal.domain.tokens import hash_share_token
from docportal.events.documents import DOCUMENT_DOWNLOADED, DOCUMENT_VIEWED
from docportal.events.shares import SHARE_ACCESS_REFUSED, SHARE_CLAIMED, SHARE_VIEWED
from docportal.service_layer.callers import Recipient
from docportal.service_layer.errors import DocumentNotFound, ShareLinkUnknown
from docportal.service_layer.ports import DocumentStorage, RecipientAccounts, StoredObject, Tokens
from docportal.service_layer.shares import UNKNOWN_PRACTICE
from servicekit.db import UnitOfWork
from servicekit.messaging.definitions import EventDefinition
from servicekit.messaging.envelope import Event, Subject

REFUSED_EVENT = SHARE_ACCESS_REFUSED.type


@dataclass(frozen=True)
class SharedWithMe:
    """One claimed share as the recipient's list shows it."""

    share: Share
    practice_name: str
    documents: tuple[Document, ...]
    time_zone: str = "UTC"  # the practice's (its first clinic's): the page shows times in it


def open_share_link(
    uow: UnitOfWork, token: str, recipient: Recipient | None, client: str | None, now: datetime
) -> Share:
    """Let the recipient in through the link, claiming the share on the first in-time open.

    Raises ``SignInRequired`` for nobody signed in (not a refusal: the recipient's own first
    click is anonymous) and the domain's refusals, recorded, for everyone else.
    """
    with uow:
        shares = ShareRepository(uow.session)
        share = _share_by_link(shares, token)
        try:
            access = authorize_recipient_access(
                share, recipient.account() if recipient else None, now)
        except SignInRequired:
            raise
        except DocportalError as refusal:
            _refuse(uow, shares, share, refusal, recipient, client, now)
            raise
        assert recipient is not None
        viewed = record_view(share, access, client, now)
        shares.save_state(share)
        shares.add_activity(viewed)
        if access.claimed_now:
            uow.publish(_recipient_event(SHARE_CLAIMED, share, recipient, now,
                                         document_ids=list(share.document_ids)))
        uow.publish(_recipient_event(SHARE_VIEWED, share, recipient, now,
                                     document_ids=list(share.document_ids),
                                     client=viewed.client))
        uow.commit()
    return share


def register_from_link(
    uow: UnitOfWork, accounts: RecipientAccounts, *, token: str, email: str, full_name: str,
    password: str, client: str | None, now: datetime,
) -> Tokens:
    """Create the recipient's account with the address the link proves, then sign in."""
    with uow:
        shares = ShareRepository(uow.session)
        share = _share_by_link(shares, token)
        try:
            address = check_registration(share, email, now)
        except DocportalError as refusal:
            _refuse(uow, shares, share, refusal, None, client, now)
            raise
    # Only now, with a live link for this very address, does identity get a proof.
    accounts.register(address, full_name, password)
    return accounts.sign_in(address, password)


def shared_with_me(uow: UnitOfWork, recipient: Recipient, now: datetime) -> list[SharedWithMe]:
    """Every share the recipient claimed and still may open, newest first."""
    with uow:
        found = []
        names = PracticeNames(uow.session)
        zones = ClinicTimeZones(uow.session)
        documents = DocumentRepository(uow.session)
        for share in ShareRepository(uow.session).claimed_by(recipient.user_id):
            if share.status_at(now) is not ShareStatus.CLAIMED:
                continue  # revoked: gone from the list at once
            # A withdrawal revokes the share too; this keeps a withdrawn one out regardless.
            by_id = {d.id: d for d in documents.get_many(share.org_id, share.document_ids)
                     if not d.withdrawn}
            found.append(SharedWithMe(
                share, names.get(share.org_id) or UNKNOWN_PRACTICE,
                tuple(by_id[d] for d in share.document_ids if d in by_id),
                zones.of_practice(share.org_id)))
        return found


def practice_time_zone(uow: UnitOfWork, org_id: str) -> str:
    """The zone a practice's times are shown in on the portal (UTC until identity says)."""
    with uow:
        return ClinicTimeZones(uow.session).of_practice(org_id)


def document_for_recipient(
    uow: UnitOfWork, recipient: Recipient, document_id: str, client: str | None, now: datetime
) -> tuple[Document, Share, str]:
    """The document, the share it came in and its practice's name, if the recipient may see it."""
    with uow:
        shares = ShareRepository(uow.session)
        share = _usable_share(uow, shares, recipient, document_id, client, now)
        document = DocumentRepository(uow.session).get(share.org_id, document_id)
        practice = PracticeNames(uow.session).get(share.org_id) or UNKNOWN_PRACTICE
    if document is None:
        raise _not_found(document_id)
    return document, share, practice


def open_document(
    uow: UnitOfWork, storage: DocumentStorage, recipient: Recipient, document_id: str, *,
    download: bool, client: str | None, now: datetime,
) -> tuple[Document, StoredObject]:
    """Open the bytes for a view or a download, recorded and evented before any byte leaves."""
    document, share, _ = document_for_recipient(uow, recipient, document_id, client, now)
    # The store's round trip overlaps the second check and the record; a store that does not
    # answer is still a 503 with nothing recorded.
    opening = storage.opening(storage_key(document))
    try:
        with uow:
            shares = ShareRepository(uow.session)
            access = authorize_recipient_access(share, recipient.account(), now)
            stored = opening.result()
            if download:
                entry = record_download(share, access, document_id, client, now)
                definition, extra = DOCUMENT_DOWNLOADED, {
                    "size_bytes": document.size_bytes}
            else:
                entry = record_view(share, access, client, now, document_id)
                definition, extra = DOCUMENT_VIEWED, {}
            shares.add_activity(entry)
            uow.publish(definition.event(
                subject=Subject("document", document.id), org_id=share.org_id,
                actor=recipient.actor(), patient_id=share.patient_id, occurred_at=entry.at,
                data={"share_id": share.id, "by": "recipient", "client": entry.client,
                      **extra}))
            uow.commit()
    except BaseException:
        opening.abandon()
        raise
    return document, stored


def _usable_share(
    uow: UnitOfWork, shares: ShareRepository, recipient: Recipient, document_id: str,
    client: str | None, now: datetime,
) -> Share:
    claimed = shares.claimed_with_document(recipient.user_id, document_id)
    if not claimed:
        raise _not_found(document_id)
    usable = [s for s in claimed if s.status_at(now) is ShareStatus.CLAIMED]
    share = usable[0] if usable else claimed[0]
    try:
        authorize_recipient_access(share, recipient.account(), now)
    except DocportalError as refusal:
        _refuse(uow, shares, share, refusal, recipient, client, now, document_id)
        raise
    return share


def _share_by_link(shares: ShareRepository, token: str) -> Share:
    share = shares.get_by_token_hash(hash_share_token(token), for_update=True)
    if share is None:
        raise ShareLinkUnknown(
            "This link does not open any documents. Copy the whole link from the email, "
            "or ask the sender to share the documents again.")
    return share


def _not_found(document_id: str) -> DocumentNotFound:
    return DocumentNotFound(
        "There is no such document among the ones shared with you; go back to your list "
        "of shared documents.", {"document_id": document_id})


def _refuse(
    uow: UnitOfWork, shares: ShareRepository, share: Share, refusal: DocportalError,
    recipient: Recipient | None, client: str | None, now: datetime,
    document_id: str | None = None,
) -> None:
    attempt = refused_attempt(share, refusal, recipient.account() if recipient else None,
                              client, now, document_id)
    shares.add_refusal(attempt)
    uow.publish(SHARE_ACCESS_REFUSED.event(
        subject=Subject("share", share.id), org_id=share.org_id,
        actor=recipient.actor() if recipient else None, patient_id=share.patient_id,
        occurred_at=attempt.at,
        data={"reason": attempt.reason, "document_id": document_id, "client": attempt.client}))
    uow.commit()


def _recipient_event(definition: EventDefinition, share: Share, recipient: Recipient, now: datetime,
                     **data: object) -> Event:
    return definition.event(subject=Subject("share", share.id), org_id=share.org_id,
                            actor=recipient.actor(), patient_id=share.patient_id,
                            occurred_at=now, data=data)
