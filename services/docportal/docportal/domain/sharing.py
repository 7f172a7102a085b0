"""Sending documents to an outside recipient, and sending them again.

A share holds documents of one practice and one patient only: a disclosure is made
about one patient for one purpose, and mixing patients in one email is how the wrong
records reach an attorney or a physician.
"""

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from docportal.domain.clock import as_utc
from docportal.domain.documents import Document
from docportal.domain.errors import InvalidShare, ShareCannotBeReshared
from docportal.domain.recipients import normalize_email
from docportal.domain.shares import DisclosurePurpose, Share, ShareStatus
from docportal.domain.tokens import hash_share_token, new_share_token

MAX_MESSAGE_LENGTH = 2000
MAX_PURPOSE_DESCRIPTION_LENGTH = 300
MAX_EMAIL_LENGTH = 254

# Deliberately loose: one @, no spaces, a dot in the domain. The recipient proves the
# address by signing up through the link, which no pattern can do.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class IssuedShare:
    """A new share and its link token; the token is for the email only, never stored."""

    share: Share
    token: str


def share_documents(
    documents: Sequence[Document],
    *,
    recipient_email: str,
    purpose: DisclosurePurpose | str,
    shared_by: str,
    now: datetime,
    purpose_description: str | None = None,
    message: str | None = None,
    share_id: str | None = None,
) -> IssuedShare:
    """Share a patient's documents with one recipient; the claim window starts ``now``."""
    if not documents:
        raise InvalidShare("Choose at least one document to share.", {"field": "documents"})
    if len({(d.org_id, d.patient_id) for d in documents}) > 1:
        raise InvalidShare(
            "All documents in one share must belong to the same patient. "
            "Share each patient's documents separately.",
            {"field": "documents"},
        )
    purpose = _purpose(purpose)
    token = new_share_token()
    share = Share(
        id=share_id or str(uuid.uuid4()),
        org_id=documents[0].org_id,
        patient_id=documents[0].patient_id,
        document_ids=tuple(dict.fromkeys(d.id for d in documents)),
        recipient_email=_recipient_email(recipient_email),
        purpose=purpose,
        purpose_description=_purpose_description(purpose, purpose_description),
        message=_message(message),
        shared_by=shared_by,
        sent_at=as_utc(now),
        token_hash=hash_share_token(token),
    )
    return IssuedShare(share, token)


def reshare(
    old: Share,
    *,
    shared_by: str,
    now: datetime,
    message: str | None = None,
    share_id: str | None = None,
) -> IssuedShare:
    """Send the same documents to the same recipient again, with a new link and window.

    Allowed while the old share is sent (the usual reason: the email was lost, and the
    old token cannot be shown again because only its hash is kept), expired, or
    revoked (the sender changed their mind). The old link dies at once: it is
    superseded. Refused for a claimed share, whose recipient already has the documents
    for good (superseding it would take them away), and for an already superseded one,
    where the newest share is the one to reshare. ``message`` None keeps the old one.
    """
    status = old.status_at(now)
    if status in (ShareStatus.CLAIMED, ShareStatus.SUPERSEDED):
        hint = (
            "The recipient already opened this share and keeps access to its documents; "
            "to send other documents, create a new share."
            if status is ShareStatus.CLAIMED
            else "This share was already sent again; reshare the newest one instead."
        )
        raise ShareCannotBeReshared(
            hint, {"share_id": old.id, "status": str(status), "newest": old.superseded_by_id}
        )
    token = new_share_token()
    share = Share(
        id=share_id or str(uuid.uuid4()),
        org_id=old.org_id,
        patient_id=old.patient_id,
        document_ids=old.document_ids,
        recipient_email=old.recipient_email,
        purpose=old.purpose,
        purpose_description=old.purpose_description,
        message=old.message if message is None else _message(message),
        shared_by=shared_by,
        sent_at=as_utc(now),
        token_hash=hash_share_token(token),
        supersedes_id=old.id,
    )
    old.superseded_by_id, old.superseded_at = share.id, share.sent_at
    return IssuedShare(share, token)


def _recipient_email(raw: str) -> str:
    email = normalize_email(raw)
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        raise InvalidShare(
            "Enter the recipient's full email address, like name@example.org.",
            {"field": "recipient_email"},
        )
    return email


def _purpose(raw: DisclosurePurpose | str) -> DisclosurePurpose:
    try:
        return DisclosurePurpose(raw)
    except ValueError:
        raise InvalidShare(
            "Choose the purpose of this disclosure: treatment, patient request, legal "
            "request or other.",
            {"field": "purpose", "allowed": [p.value for p in DisclosurePurpose]},
        ) from None


def _purpose_description(purpose: DisclosurePurpose, raw: str | None) -> str | None:
    text = (raw or "").strip() or None
    if purpose is DisclosurePurpose.OTHER and text is None:
        raise InvalidShare(
            'Describe the purpose of this disclosure when you choose "other".',
            {"field": "purpose_description"},
        )
    if text is not None and len(text) > MAX_PURPOSE_DESCRIPTION_LENGTH:
        raise InvalidShare(
            f"Keep the purpose to {MAX_PURPOSE_DESCRIPTION_LENGTH} characters or fewer.",
            {"field": "purpose_description", "max_length": MAX_PURPOSE_DESCRIPTION_LENGTH},
        )
    return text


def _message(raw: str | None) -> str | None:
    text = (raw or "").strip() or None
    if text is not None and len(text) > MAX_MESSAGE_LENGTH:
        raise InvalidShare(
            f"Shorten the message to {MAX_MESSAGE_LENGTH} characters or fewer "
            f"(it has {len(text)}).",
            {"field": "message", "max_length": MAX_MESSAGE_LENGTH, "length": len(text)},
        )
    return text
