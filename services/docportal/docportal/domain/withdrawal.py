"""Withdrawing a document filed in the wrong patient's chart.

Nothing is deleted: the row and the bytes stay (a disclosure already made must remain
accountable), but the document leaves the patient's list, cannot be downloaded or shared
again, and every share that still opens it is revoked at once, claimed ones included: the
recipient got the wrong patient's record, and the sender may revoke access at any time
(DOMAIN.md, Document portal). The other documents of such a share are shared anew.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from docportal.domain.clock import as_utc
from docportal.domain.documents import Document
from docportal.domain.errors import DocumentWithdrawn, InvalidWithdrawal
from docportal.domain.shares import Share, ShareStatus

MAX_REASON_LENGTH = 300

#: The shares a withdrawal revokes: the ones whose link or claimed copy still opens.
_OPEN = (ShareStatus.SENT, ShareStatus.CLAIMED)


@dataclass(frozen=True)
class Withdrawal:
    document: Document
    #: The shares this withdrawal revoked; empty when the document was already withdrawn.
    revoked: tuple[Share, ...]
    withdrawn_now: bool


def withdraw_document(
    document: Document, shares: Iterable[Share], *, withdrawn_by: str, reason: str,
    now: datetime,
) -> Withdrawal:
    """Withdraw the document and revoke its open shares; a second withdrawal changes nothing."""
    if document.withdrawn:
        return Withdrawal(document, (), withdrawn_now=False)
    text = _reason(reason)
    withdrawn = replace(document, withdrawn_at=as_utc(now), withdrawn_by=withdrawn_by,
                        withdrawal_reason=text)
    revoked = tuple(share for share in shares
                    if share.status_at(now) in _OPEN and share.revoke(withdrawn_by, now))
    return Withdrawal(withdrawn, revoked, withdrawn_now=True)


def check_not_withdrawn(document: Document) -> None:
    """Refuse to download or share a withdrawn document (410), saying what to do instead."""
    if document.withdrawn:
        assert document.withdrawn_at is not None
        raise DocumentWithdrawn(
            "This document was withdrawn from the patient's chart on "
            f"{document.withdrawn_at:%Y-%m-%d} and can no longer be downloaded or shared. "
            "If it belongs to another patient, upload it to that patient's documents.",
            {"document_id": document.id, "withdrawn_at": document.withdrawn_at.isoformat()})


def _reason(raw: str) -> str:
    text = (raw or "").strip()
    if not text or len(text) > MAX_REASON_LENGTH:
        raise InvalidWithdrawal(
            f"Say in {MAX_REASON_LENGTH} characters or fewer why the document is withdrawn, "
            "e.g. \"filed under the wrong patient\".",
            {"field": "reason", "max_length": MAX_REASON_LENGTH})
    return text
