"""notes' events about patients, their cases, payers and treatment plans."""

from marshmallow import fields

from servicekit.messaging.definitions import EventDefinition, flag, state, text, texts, whole

PATIENT_CREATED = EventDefinition(
    "notes.patient.created", "A patient was added to a clinic.", subject="patient",
    data={"clinic_id": text(), "external_id": text(null=True)})
PATIENT_UPDATED = EventDefinition(
    "notes.patient.updated", "A patient's record was corrected (field names only).",
    subject="patient", data={"changed": texts()})
PATIENT_RESIDENCE_RECORDED = EventDefinition(
    "notes.patient.residence_recorded", "The patient's state of residence, for breach "
    "notices per state (the code alone; null: no longer known).", subject="patient",
    data={"state": text(null=True)})
PATIENT_VIEWED = EventDefinition(
    "notes.patient.viewed", "Someone read a patient's record or one of its lists (section: "
    "notes, transactions, plans...; the ids listed).", subject="patient", data={
        "section": text(optional=True), "note_ids": texts(optional=True),
        "plan_ids": texts(optional=True), "record_count": whole(optional=True)})
PATIENT_SEARCHED = EventDefinition(
    "notes.patient.searched", "Someone searched patients; every patient returned was "
    "touched.", subject="patient_search", data={
        "patient_ids": texts(), "page": whole(), "total": whole(), "by_name": flag(),
        "by_date_of_birth": flag()})

CASE_CREATED = EventDefinition(
    "notes.case.created", "A case was opened for a patient.", subject="case",
    data={"insurance_id": text(null=True)})
CASE_VIEWED = EventDefinition("notes.case.viewed", "Someone read a case.", subject="case")
CASE_UPDATED = EventDefinition(
    "notes.case.updated", "A case's title or payer changed (field names; the insurance ids).",
    subject="case", data={"changed": texts(), "insurance": state(optional=True)})
INSURANCE_CREATED = EventDefinition(
    "notes.insurance.created", "A payer was added.", subject="insurance",
    data={"name": text(), "allow_assistants_to_finalize": flag()})
INSURANCE_UPDATED = EventDefinition(
    "notes.insurance.updated", "A payer's settings changed.", subject="insurance",
    data={"before": state(), "after": state()})

# One shape for every step of a plan: ids, money and counts, never an item's code or text.
_PLAN = {
    "plan_id": text(), "patient_id": text(), "clinic_id": text(null=True),
    "practitioner_user_id": text(null=True), "total_cents": whole(), "currency": text(),
    "item_count": whole(), "status": text(), "by": text(),  # "staff" or "patient"
}


def _plan(verb: str, description: str, **data: fields.Field) -> EventDefinition:
    return EventDefinition(f"notes.treatment_plan.{verb}", description,
                           subject="treatment_plan", data={**_PLAN, **data})


PLAN_CREATED = _plan("created", "Staff made a treatment plan.")
PLAN_UPDATED = _plan("updated", "Staff changed a plan (field names).", changed=texts())
PLAN_VIEWED = _plan("viewed", "Staff read a plan.")
PLAN_SENT = _plan("sent", "The plan's link was mailed to the patient.", resent=flag(),
                  expires_at=text())
PLAN_OPENED = _plan("opened", "The patient opened the plan's page.")
PLAN_PROCEEDED = _plan("proceeded", "The patient chose to proceed.")
PLAN_PAYMENT_PLAN_REQUESTED = _plan("payment_plan_requested",
                                    "The patient asked for a payment plan.")
PLAN_PAYMENT_PLAN_ACCEPTED = _plan("payment_plan_accepted",
                                   "Staff accepted the payment plan the patient asked for.")
PLAN_WITHDRAWN = _plan("withdrawn", "Staff withdrew the plan.", previous_status=text())
