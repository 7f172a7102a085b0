"""docportal's events about documents: uploads, reads and withdrawals."""

from servicekit.messaging.definitions import EventDefinition, text, texts, whole

# A recipient's read names the share it came through and the recipient's client; staff's
# reads say only who ("by": "staff" or "recipient").
_READ = {"by": text(), "share_id": text(optional=True), "client": text(optional=True, null=True)}

DOCUMENT_UPLOADED = EventDefinition(
    "docportal.document.uploaded", "Staff uploaded a document to a patient's chart (or notes "
    "filed a note's PDF: source and note_id).", subject="document", data={
        "kind": text(), "content_type": text(), "size_bytes": whole(), "sha256": text(),
        "source": text(optional=True), "note_id": text(optional=True)})
DOCUMENT_VIEWED = EventDefinition(
    "docportal.document.viewed", "Someone opened a document.", subject="document", data=_READ)
DOCUMENT_DOWNLOADED = EventDefinition(
    "docportal.document.downloaded", "Someone downloaded a document.", subject="document",
    data={**_READ, "size_bytes": whole()})
DOCUMENTS_VIEWED = EventDefinition(
    "docportal.documents.viewed", "Staff listed a patient's documents.", subject="patient",
    data={"document_ids": texts(), "record_count": whole(optional=True)})
DOCUMENT_WITHDRAWN = EventDefinition(
    "docportal.document.withdrawn", "A document filed in the wrong chart was withdrawn; its "
    "shares were revoked.", subject="document", data={"revoked_share_ids": texts()})
