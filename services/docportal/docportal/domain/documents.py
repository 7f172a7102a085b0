"""A patient's document as the portal keeps it.

There is no expiry, purge or archive here on purpose: a document shared and claimed
stays available to its recipient for good (DOMAIN.md, Document portal). The one way out
is a withdrawal (``withdrawal.py``) of a document filed in the wrong chart, which keeps
the row and the bytes.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from docportal.domain.clock import as_utc
from docportal.domain.uploads import AcceptedUpload


class DocumentKind(StrEnum):
    PLAN_OF_CARE = "plan_of_care"
    NOTE = "note"
    LETTER = "letter"
    OTHER = "other"


@dataclass(frozen=True)
class Document:
    id: str
    org_id: str
    patient_id: str
    kind: DocumentKind
    filename: str
    content_type: str
    size_bytes: int
    uploaded_by: str
    uploaded_at: datetime
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None
    withdrawal_reason: str | None = None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


def new_document(
    upload: AcceptedUpload,
    *,
    org_id: str,
    patient_id: str,
    kind: DocumentKind | str,
    uploaded_by: str,
    now: datetime,
    document_id: str | None = None,
) -> Document:
    """Record an accepted upload as a document of one practice's patient."""
    return Document(
        id=document_id or str(uuid.uuid4()),
        org_id=org_id,
        patient_id=patient_id,
        kind=DocumentKind(kind),
        filename=upload.filename,
        content_type=upload.content_type,
        size_bytes=upload.size_bytes,
        uploaded_by=uploaded_by,
        uploaded_at=as_utc(now),
    )
