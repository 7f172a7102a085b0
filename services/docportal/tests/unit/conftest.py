from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from docportal.domain.documents import Document, DocumentKind
from docportal.domain.recipients import Account
from docportal.domain.sharing import IssuedShare, share_documents

SENT_AT = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
RECIPIENT_EMAIL = "dr.lee@example.org"


@pytest.fixture
def sent_at() -> datetime:
    return SENT_AT


@pytest.fixture
def make_document() -> Callable[..., Document]:
    def make(
        document_id: str = "doc-1", patient_id: str = "patient-1", org_id: str = "org-1"
    ) -> Document:
        return Document(
            id=document_id,
            org_id=org_id,
            patient_id=patient_id,
            kind=DocumentKind.PLAN_OF_CARE,
            filename=f"{document_id}.pdf",
            content_type="application/pdf",
            size_bytes=1024,
            uploaded_by="staff-1",
            uploaded_at=SENT_AT,
        )

    return make


@pytest.fixture
def issued(make_document: Callable[..., Document]) -> IssuedShare:
    """Two plan-of-care documents of one patient, shared with Dr Lee at SENT_AT."""
    return share_documents(
        [make_document("doc-1"), make_document("doc-2")],
        recipient_email=RECIPIENT_EMAIL,
        purpose="treatment",
        shared_by="staff-1",
        now=SENT_AT,
    )


@pytest.fixture
def recipient() -> Account:
    return Account(id="acct-lee", email=RECIPIENT_EMAIL, email_verified=True)


@pytest.fixture
def stranger() -> Account:
    return Account(id="acct-eve", email="eve@example.net", email_verified=True)
