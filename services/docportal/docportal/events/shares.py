"""docportal's events about shares to external recipients."""

from servicekit.messaging.definitions import EventDefinition, record, text, texts, whole

# What audit's accounting of disclosures reads: what went to whom and why; documents by
# kind only (a filename may name the patient).
_DISCLOSED = {
    "document_ids": texts(), "recipient_email": text(), "purpose": text(),
    "purpose_description": text(null=True),
    "documents": record({"id": text(), "kind": text(null=True)}, many=True),
    "claim_deadline": text(), "record_count": whole(),
}

SHARE_SENT = EventDefinition(
    "docportal.share.sent", "Staff shared documents with an external recipient.",
    subject="share", data=_DISCLOSED)
SHARE_RESHARED = EventDefinition(
    "docportal.share.reshared", "Staff shared the documents again; the earlier share "
    "(supersedes_id) stopped.", subject="share", data={**_DISCLOSED, "supersedes_id": text()})
SHARE_REVOKED = EventDefinition(
    "docportal.share.revoked", "A share was revoked (by staff, or with a withdrawn document).",
    subject="share", data={"recipient_email": text(),
                           "withdrawn_document_id": text(optional=True)})
SHARE_CLAIMED = EventDefinition(
    "docportal.share.claimed", "The recipient claimed the share within its window.",
    subject="share", data={"document_ids": texts()})
SHARE_VIEWED = EventDefinition(
    "docportal.share.viewed", "The recipient opened the share.", subject="share",
    data={"document_ids": texts(), "client": text(null=True)})
SHARE_ACCESS_REFUSED = EventDefinition(
    "docportal.share.access_refused", "An attempt to open a share was refused.",
    subject="share", data={"reason": text(), "document_id": text(null=True),
                           "client": text(null=True)})
SHARE_MAIL_SENT = EventDefinition(
    "docportal.share.mail_sent", "The share's email went out after retries.", subject="share",
    data={"attempts": whole(), "claim_deadline": text()})
SHARES_VIEWED = EventDefinition(
    "docportal.shares.viewed", "Staff listed the shares of a patient's documents.",
    subject="patient", data={"share_ids": texts(), "record_count": whole()})
