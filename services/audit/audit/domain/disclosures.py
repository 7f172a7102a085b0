"""The accounting of disclosures: every document of a patient shared outside the practice.

HIPAA (45 CFR 164.528) gives a patient the right to an accounting of disclosures for the
six years before the request: the date, who received the information, a brief
description of it and the purpose. This module rebuilds that from docportal's events
(envelopes as stored, oldest first):

- ``docportal.share.sent`` / ``.reshared``: a disclosure (``data.recipient_email``,
  ``data.purpose``, ``data.purpose_description``, ``data.documents`` with each document's
  kind, or ``data.document_ids``); a reshare also names the share it ``supersedes_id``;
- ``docportal.document.uploaded``: a document's kind, for shares whose event predates
  ``data.documents``;
- ``docportal.share.claimed``, ``docportal.share.viewed``, ``docportal.document.viewed``
  and ``docportal.document.downloaded`` by the recipient (``data.share_id``), and
  ``docportal.share.revoked``: what became of the disclosure.

Documents are described by kind only: filenames and the sender's message may carry free
text about the patient and never enter the accounting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from audit.domain.clock import as_utc, parse_utc

ACCOUNTING_YEARS = 6
SENT_TYPES = frozenset({"docportal.share.sent", "docportal.share.reshared"})
DISCLOSURE_EVENT_TYPES = SENT_TYPES | frozenset({
    "docportal.share.claimed", "docportal.share.viewed", "docportal.share.revoked",
    "docportal.document.viewed", "docportal.document.downloaded",
    "docportal.document.uploaded",
})


@dataclass(frozen=True)
class DisclosedDocument:
    id: str
    kind: str | None  # None: no event stated it


@dataclass
class Disclosure:
    share_id: str
    disclosed_at: datetime
    recipient_email: str
    documents: tuple[DisclosedDocument, ...]
    purpose: str
    purpose_description: str | None
    shared_by: str | None
    reshare_of: str | None = None
    claimed_at: datetime | None = None
    views: int = 0
    first_viewed_at: datetime | None = None
    downloads: int = 0
    first_downloaded_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def description(self) -> str:
        """The documents in words: their kinds, counted ("2 plan of care, 1 note")."""
        counts: dict[str, int] = {}
        for document in self.documents:
            label = (document.kind or "document").replace("_", " ")
            counts[label] = counts.get(label, 0) + 1
        return ", ".join(f"{n} {label}" for label, n in counts.items())


@dataclass(frozen=True)
class DisclosureAccounting:
    patient_id: str
    window_start: datetime
    window_end: datetime
    disclosures: tuple[Disclosure, ...]  # oldest first
    recipients: tuple[str, ...] = field(default=())


def accounting_start(now: datetime, years: int = ACCOUNTING_YEARS) -> datetime:
    """The same moment ``years`` back; 29 February goes to the 28th (a day more, not less)."""
    now = as_utc(now, "now")
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def account_for_disclosures(
    events: Iterable[Mapping[str, Any]], patient_id: str, start: datetime, end: datetime
) -> DisclosureAccounting:
    """Every disclosure of ``patient_id``'s documents made in [start, end), oldest first.

    What happened to a disclosure later (claimed, viewed, revoked) counts whenever it
    happened, so pass every later event too.
    """
    start, end = as_utc(start, "start"), as_utc(end, "end")
    if end <= start:
        raise ValueError("an accounting window must end after it starts")
    shares: dict[str, Disclosure] = {}
    kinds: dict[str, str] = {}
    for event in events:
        if event.get("patient_id") != patient_id:
            continue
        _apply(event, shares, kinds)
    found = tuple(
        _described(d, kinds) for d in sorted(shares.values(), key=lambda d: d.disclosed_at)
        if start <= d.disclosed_at < end
    )
    recipients = tuple(sorted({d.recipient_email for d in found}))
    return DisclosureAccounting(patient_id, start, end, found, recipients)


def _apply(event: Mapping[str, Any], shares: dict[str, Disclosure], kinds: dict[str, str]
           ) -> None:
    kind = event["type"]
    data = event.get("data") or {}
    at = parse_utc(event["occurred_at"], "occurred_at")
    subject_id = str((event.get("subject") or {}).get("id") or "")
    if kind in SENT_TYPES:
        shares[subject_id] = _disclosure(event, data, subject_id, at)
        return
    if kind == "docportal.document.uploaded":
        if data.get("kind"):
            kinds[subject_id] = str(data["kind"])
        return
    by_recipient = data.get("by") in (None, "recipient")
    share = shares.get(subject_id if kind.startswith("docportal.share.")
                       else str(data.get("share_id") or ""))
    if share is None:
        return
    if kind == "docportal.share.revoked":
        share.revoked_at = share.revoked_at or at
    elif kind == "docportal.share.claimed":
        share.claimed_at = share.claimed_at or at
    elif kind in ("docportal.share.viewed", "docportal.document.viewed") and by_recipient:
        share.views += 1
        share.first_viewed_at = share.first_viewed_at or at
    elif kind == "docportal.document.downloaded" and by_recipient:
        share.downloads += 1
        share.first_downloaded_at = share.first_downloaded_at or at


def _disclosure(event: Mapping[str, Any], data: Mapping[str, Any], share_id: str,
                at: datetime) -> Disclosure:
    listed = data.get("documents")
    if isinstance(listed, list) and listed:
        documents = tuple(DisclosedDocument(str(d.get("id")), d.get("kind"))
                          for d in listed if isinstance(d, Mapping))
    else:
        documents = tuple(DisclosedDocument(str(d), None) for d in data.get("document_ids") or [])
    description = data.get("purpose_description")
    return Disclosure(
        share_id=share_id, disclosed_at=at,
        recipient_email=str(data.get("recipient_email") or ""),
        documents=documents, purpose=str(data.get("purpose") or ""),
        purpose_description=str(description) if description else None,
        shared_by=(event.get("actor") or {}).get("id"),
        reshare_of=data.get("supersedes_id"),
    )


def _described(disclosure: Disclosure, kinds: Mapping[str, str]) -> Disclosure:
    documents = tuple(
        d if d.kind else DisclosedDocument(d.id, kinds.get(d.id)) for d in disclosure.documents)
    return replace(disclosure, documents=documents)
