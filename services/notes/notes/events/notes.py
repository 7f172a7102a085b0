"""notes' events about SOAP notes, their billing and charges."""

from marshmallow import fields

from servicekit.messaging.definitions import EventDefinition, record, text, texts, whole

# Every note event says which case, which version and where in its lifecycle the note is.
_NOTE = {"case_id": text(), "version": whole(), "status": text()}


def _note(verb: str, description: str, **data: fields.Field) -> EventDefinition:
    return EventDefinition(f"notes.note.{verb}", description, subject="note",
                           data={**_NOTE, **data})


NOTE_STARTED = _note("started", "A note was started.", kind=text())
NOTE_VIEWED = _note("viewed", "Someone read a note.")
NOTE_UPDATED = _note("updated", "A draft was edited (field names only).", changed=texts())
NOTE_FORWARDED = _note("forwarded", "A note was forwarded to a therapist to co-sign.",
                       forwarded_to_id=text(), previous_forwarded_to_id=text(null=True))
NOTE_RECALLED = _note("recalled", "The author took a forwarded note back.",
                      recalled_from_id=text(null=True))
NOTE_FINALIZED = _note(
    "finalized", "A note was finalized; its charges were made and its billing export queued "
    "or held.", finalized_by_id=text(), cosigner_id=text(null=True),
    chart_initials=text(null=True), billing_provider_id=text(null=True),
    billing_export=record({"status": text(), "reason": text(null=True),
                           "export_id": text(null=True)}),
    transaction_ids=texts(), date_of_service=text())
NOTE_ADDENDUM_ADDED = _note("addendum_added", "An addendum was added to a finalized note.",
                            addendum_number=whole())
NOTE_DISCARDED = _note("discarded", "A draft started by mistake was discarded (kept, 410).")
NOTE_DOWNLOADED = _note("downloaded", "Someone downloaded a note's PDF.", format=text(),
                        size_bytes=whole())
NOTE_BILLING_HELD = EventDefinition(
    "notes.note.billing_held", "A finalized note's billing export waits (reason_code says "
    "why).", subject="note", data={
        "export_id": text(), "integration": text(), "finalized_by_id": text(null=True),
        "reason_code": text(null=True)})
NOTE_EXPORTED_TO_BILLING = EventDefinition(
    "notes.note.exported_to_billing", "The billing worker delivered a note's export.",
    subject="note", data={"export_id": text(), "integration": text(),
                          "provider_id": text(null=True), "attempts": whole(),
                          "destination": text()})
TRANSACTION_DELETED = EventDefinition(
    "notes.transaction.deleted", "A charge was deleted.", subject="transaction", data={
        "note_id": text(null=True), "code": text(), "units": whole(),
        "provider_id": text(null=True), "date_of_service": text()})
