"""Documents and shares in and out of the database, as the domain's dataclasses."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from docportal.adapters.tables import (
    documents,
    practices,
    share_activity,
    share_documents,
    share_refusals,
    shares,
)
from docportal.domain.activity import ActivityKind, RefusedAttempt, ShareActivity
from docportal.domain.documents import Document, DocumentKind
from docportal.domain.shares import CLAIM_WINDOW, DisclosurePurpose, Share
from servicekit.db import rowcount

_DOCUMENT_FIELDS = ("id", "org_id", "patient_id", "filename", "content_type", "size_bytes",
                    "uploaded_by", "uploaded_at")
_WITHDRAWAL = ("withdrawn_at", "withdrawn_by", "withdrawal_reason")
# The share's columns that change after it is sent.
_SHARE_STATE = ("claimed_at", "claimed_by", "revoked_at", "revoked_by", "superseded_by_id",
                "superseded_at")
# Its email's delivery: written only by the mail's own methods, never by save_state, so that
# a claim or revocation in flight cannot write back a stale delivery state.
_SHARE_MAIL = ("mail_sent_at", "mail_attempts", "mail_next_attempt_at")


def storage_key(document: Document) -> str:
    return document_key(document.org_id, document.id)


def document_key(org_id: str, document_id: str) -> str:
    return f"{org_id}/{document_id}"


class DocumentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, document: Document, sha256: str) -> None:
        self.session.execute(insert(documents).values(
            **{name: getattr(document, name) for name in _DOCUMENT_FIELDS},
            kind=str(document.kind), sha256=sha256, storage_key=storage_key(document),
        ))

    def get(self, org_id: str, document_id: str, *, for_update: bool = False
            ) -> Document | None:
        query = select(documents).where(documents.c.org_id == org_id,
                                        documents.c.id == document_id)
        row = self.session.execute(query.with_for_update() if for_update else query).first()
        return _document(row) if row else None

    def get_many(self, org_id: str, document_ids: Sequence[str]) -> list[Document]:
        rows = self.session.execute(select(documents).where(
            documents.c.org_id == org_id, documents.c.id.in_(list(document_ids)))).all()
        return [_document(row) for row in rows]

    def list_for_patient(self, org_id: str, patient_id: str) -> list[Document]:
        """The patient's documents, newest first; withdrawn ones are no longer in the chart."""
        rows = self.session.execute(select(documents).where(
            documents.c.org_id == org_id, documents.c.patient_id == patient_id,
            documents.c.withdrawn_at.is_(None),
        ).order_by(documents.c.uploaded_at.desc(), documents.c.id)).all()
        return [_document(row) for row in rows]

    def save_withdrawal(self, document: Document) -> None:
        self.session.execute(update(documents).where(documents.c.id == document.id).values(
            **{name: getattr(document, name) for name in _WITHDRAWAL}))


class ShareRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, share: Share) -> None:
        values = {name: getattr(share, name) for name in (
            "id", "org_id", "patient_id", "recipient_email", "purpose_description", "message",
            "shared_by", "sent_at", "token_hash", "supersedes_id", *_SHARE_STATE,
            *_SHARE_MAIL)}
        self.session.execute(insert(shares).values(**values, purpose=str(share.purpose)))
        self.session.execute(insert(share_documents), [
            {"share_id": share.id, "document_id": document_id, "position": position}
            for position, document_id in enumerate(share.document_ids)
        ])

    def get(self, org_id: str, share_id: str, *, for_update: bool = False) -> Share | None:
        query = select(shares).where(shares.c.org_id == org_id, shares.c.id == share_id)
        row = self.session.execute(query.with_for_update() if for_update else query).first()
        return self._share(row) if row else None

    def get_by_token_hash(self, token_hash: str, *, for_update: bool = False) -> Share | None:
        """The share a link opens, in any practice: the link itself is the lookup key."""
        query = select(shares).where(shares.c.token_hash == token_hash)
        row = self.session.execute(query.with_for_update() if for_update else query).first()
        return self._share(row) if row else None

    def with_document(self, org_id: str, document_id: str, *, for_update: bool = False
                      ) -> list[Share]:
        """Every share of the practice that holds the document, oldest first."""
        query = (select(shares).join(share_documents, share_documents.c.share_id == shares.c.id)
                 .where(shares.c.org_id == org_id, share_documents.c.document_id == document_id)
                 .order_by(shares.c.sent_at, shares.c.id))
        rows = self.session.execute(query.with_for_update(of=shares) if for_update
                                    else query).all()
        return [self._share(row) for row in rows]

    def claimed_by(self, account_id: str) -> list[Share]:
        """Every share the account claimed, newest first."""
        rows = self.session.execute(select(shares).where(shares.c.claimed_by == account_id)
                                    .order_by(shares.c.sent_at.desc(), shares.c.id)).all()
        return [self._share(row) for row in rows]

    def claimed_with_document(self, account_id: str, document_id: str) -> list[Share]:
        """The account's claimed shares that hold the document, newest first."""
        rows = self.session.execute(
            select(shares).join(share_documents, share_documents.c.share_id == shares.c.id)
            .where(shares.c.claimed_by == account_id,
                   share_documents.c.document_id == document_id)
            .order_by(shares.c.sent_at.desc(), shares.c.id)).all()
        return [self._share(row) for row in rows]

    def add_refusal(self, attempt: RefusedAttempt) -> None:
        self.session.execute(insert(share_refusals).values(
            share_id=attempt.share_id, reason=attempt.reason, account_id=attempt.account_id,
            document_id=attempt.document_id, client=attempt.client, at=attempt.at))

    def refusals(self, org_id: str, share_id: str) -> list[RefusedAttempt]:
        """The turned-away opens of the practice's share, in the order they were recorded."""
        rows = self.session.execute(
            select(share_refusals).join(shares, shares.c.id == share_refusals.c.share_id)
            .where(shares.c.org_id == org_id, share_refusals.c.share_id == share_id)
            .order_by(share_refusals.c.id)).all()
        return [RefusedAttempt(r.share_id, r.reason, r.account_id, r.document_id, r.client, r.at)
                for r in rows]

    def save_state(self, share: Share) -> None:
        """Write what may change after sending: claim, revocation, superseding."""
        self.session.execute(update(shares).where(shares.c.id == share.id).values(
            **{name: getattr(share, name) for name in _SHARE_STATE}))

    def next_awaiting_handover(self, now: datetime, *, skip: Collection[str] = ()
                               ) -> Share | None:
        """A share the retrier before the mail outbox left pending, locked for this worker.

        The same filter as ``share_mail.awaits_handover``, in SQL. ``SKIP LOCKED``: another
        worker holding a share takes the next one (PostgreSQL; SQLite serializes writers).
        """
        query = (
            select(shares)
            .where(shares.c.mail_sent_at.is_(None), shares.c.claimed_at.is_(None),
                   shares.c.revoked_at.is_(None), shares.c.superseded_by_id.is_(None),
                   shares.c.sent_at >= now - CLAIM_WINDOW,
                   shares.c.mail_next_attempt_at.is_not(None))
            .order_by(shares.c.mail_next_attempt_at, shares.c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if skip:
            query = query.where(shares.c.id.not_in(list(skip)))
        row = self.session.execute(query).first()
        return self._share(row) if row else None

    def save_handover(self, share: Share) -> None:
        """Write a handed-over share's new link (its hash); it is no longer scheduled here."""
        self.session.execute(update(shares).where(shares.c.id == share.id).values(
            token_hash=share.token_hash, mail_next_attempt_at=share.mail_next_attempt_at))

    def save_mail_delivered(self, share: Share) -> bool:
        """Record the delivered email (and a restarted window); False if the link was replaced
        or the delivery already recorded."""
        result = self.session.execute(
            update(shares).where(shares.c.id == share.id,
                                 shares.c.token_hash == share.token_hash,
                                 shares.c.mail_sent_at.is_(None))
            .values(mail_sent_at=share.mail_sent_at, sent_at=share.sent_at,
                    mail_attempts=share.mail_attempts,
                    mail_next_attempt_at=share.mail_next_attempt_at))
        return rowcount(result) == 1

    def get_any(self, share_id: str, *, for_update: bool = False) -> Share | None:
        """The share, in any practice: for the mail worker, which acts for no caller."""
        query = select(shares).where(shares.c.id == share_id)
        row = self.session.execute(query.with_for_update() if for_update else query).first()
        return self._share(row) if row else None

    def add_activity(self, entry: ShareActivity) -> None:
        self.session.execute(insert(share_activity).values(
            share_id=entry.share_id, kind=str(entry.kind), document_id=entry.document_id,
            account_id=entry.account_id, client=entry.client, at=entry.at))

    def _share(self, row: Any) -> Share:
        document_ids = self.session.execute(
            select(share_documents.c.document_id).where(share_documents.c.share_id == row.id)
            .order_by(share_documents.c.position)).scalars().all()
        activity = self.session.execute(
            select(share_activity).where(share_activity.c.share_id == row.id)
            .order_by(share_activity.c.id)).all()
        return share_from_row(row, document_ids, [
            ShareActivity(a.share_id, ActivityKind(a.kind), a.document_id, a.account_id,
                          a.client, a.at) for a in activity])


class PracticeNames:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, org_id: str) -> str | None:
        return self.session.execute(
            select(practices.c.name).where(practices.c.org_id == org_id)).scalar_one_or_none()

    def put(self, org_id: str, name: str, now: datetime) -> None:
        if self.get(org_id) is None:
            self.session.execute(insert(practices).values(org_id=org_id, name=name, updated_at=now))
        else:
            self.session.execute(update(practices).where(practices.c.org_id == org_id)
                                 .values(name=name, updated_at=now))


def share_from_row(row: Any, document_ids: Sequence[str],
                   activity: list[ShareActivity] | None = None) -> Share:
    """A share as stored; ``activity`` left empty where the caller counts it in SQL."""
    return Share(
        id=row.id, org_id=row.org_id, patient_id=row.patient_id,
        document_ids=tuple(document_ids), recipient_email=row.recipient_email,
        purpose=DisclosurePurpose(row.purpose), purpose_description=row.purpose_description,
        message=row.message, shared_by=row.shared_by, sent_at=row.sent_at,
        token_hash=row.token_hash, supersedes_id=row.supersedes_id,
        **{name: getattr(row, name) for name in (*_SHARE_STATE, *_SHARE_MAIL)},
        activity=activity or [],
    )


def _document(row: Any) -> Document:
    return Document(
        id=row.id, org_id=row.org_id, patient_id=row.patient_id, kind=DocumentKind(row.kind),
        filename=row.filename, content_type=row.content_type, size_bytes=row.size_bytes,
        uploaded_by=row.uploaded_by, uploaded_at=row.uploaded_at,
        **{name: getattr(row, name) for name in _WITHDRAWAL},
    )
