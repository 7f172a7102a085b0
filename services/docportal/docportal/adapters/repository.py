"""Documents and shares in and out of the database, as the domain's dataclasses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from docportal.adapters.tables import documents, practices, share_activity, share_documents, shares
from docportal.domain.activity import ActivityKind, ShareActivity
from docportal.domain.documents import Document, DocumentKind
from docportal.domain.shares import DisclosurePurpose, Share

_DOCUMENT_FIELDS = ("id", "org_id", "patient_id", "filename", "content_type", "size_bytes",
                    "uploaded_by", "uploaded_at")
# The share's columns that change after it is sent.
_SHARE_STATE = ("claimed_at", "claimed_by", "revoked_at", "revoked_by", "superseded_by_id",
                "superseded_at")


def storage_key(document: Document) -> str:
    return f"{document.org_id}/{document.id}"


class DocumentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, document: Document, sha256: str) -> None:
        self.session.execute(insert(documents).values(
            **{name: getattr(document, name) for name in _DOCUMENT_FIELDS},
            kind=str(document.kind), sha256=sha256, storage_key=storage_key(document),
        ))

    def get(self, org_id: str, document_id: str) -> Document | None:
        row = self.session.execute(select(documents).where(
            documents.c.org_id == org_id, documents.c.id == document_id)).first()
        return _document(row) if row else None

    def get_many(self, org_id: str, document_ids: Sequence[str]) -> list[Document]:
        rows = self.session.execute(select(documents).where(
            documents.c.org_id == org_id, documents.c.id.in_(list(document_ids)))).all()
        return [_document(row) for row in rows]

    def list_for_patient(self, org_id: str, patient_id: str) -> list[Document]:
        rows = self.session.execute(select(documents).where(
            documents.c.org_id == org_id, documents.c.patient_id == patient_id,
        ).order_by(documents.c.uploaded_at.desc(), documents.c.id)).all()
        return [_document(row) for row in rows]


class ShareRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, share: Share) -> None:
        values = {name: getattr(share, name) for name in (
            "id", "org_id", "patient_id", "recipient_email", "purpose_description", "message",
            "shared_by", "sent_at", "token_hash", "supersedes_id", *_SHARE_STATE)}
        self.session.execute(insert(shares).values(**values, purpose=str(share.purpose)))
        self.session.execute(insert(share_documents), [
            {"share_id": share.id, "document_id": document_id, "position": position}
            for position, document_id in enumerate(share.document_ids)
        ])

    def get(self, org_id: str, share_id: str, *, for_update: bool = False) -> Share | None:
        query = select(shares).where(shares.c.org_id == org_id, shares.c.id == share_id)
        row = self.session.execute(query.with_for_update() if for_update else query).first()
        return self._share(row) if row else None

    def save_state(self, share: Share) -> None:
        """Write what may change after sending: claim, revocation, superseding."""
        self.session.execute(update(shares).where(shares.c.id == share.id).values(
            **{name: getattr(share, name) for name in _SHARE_STATE}))

    def mark_mail_sent(self, share_id: str, now: datetime) -> None:
        self.session.execute(
            update(shares).where(shares.c.id == share_id).values(mail_sent_at=now))

    def mail_sent_at(self, share_id: str) -> datetime | None:
        return self.session.execute(
            select(shares.c.mail_sent_at).where(shares.c.id == share_id)).scalar_one_or_none()

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
        return Share(
            id=row.id, org_id=row.org_id, patient_id=row.patient_id,
            document_ids=tuple(document_ids), recipient_email=row.recipient_email,
            purpose=DisclosurePurpose(row.purpose), purpose_description=row.purpose_description,
            message=row.message, shared_by=row.shared_by, sent_at=row.sent_at,
            token_hash=row.token_hash, supersedes_id=row.supersedes_id,
            **{name: getattr(row, name) for name in _SHARE_STATE},
            activity=[ShareActivity(a.share_id, ActivityKind(a.kind), a.document_id,
                                    a.account_id, a.client, a.at) for a in activity],
        )


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


def _document(row: Any) -> Document:
    return Document(
        id=row.id, org_id=row.org_id, patient_id=row.patient_id, kind=DocumentKind(row.kind),
        filename=row.filename, content_type=row.content_type, size_bytes=row.size_bytes,
        uploaded_by=row.uploaded_by, uploaded_at=row.uploaded_at,
    )
