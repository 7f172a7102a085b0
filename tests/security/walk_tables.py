"""The declared rule of every operation of notes, docportal and audit (see walk.rule).

A new operation without a row here fails the walk. Placeholders in URLs and bodies are the
seeded records of practice A (test_authorization_walk.seed_*).
"""

from __future__ import annotations

from io import BytesIO

from walk import Row, rule

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
NAME = "Quintessa"  # the seeded patients' first name: never in an answer to the intruder
# What the seeds put in patients' records: never in a 2xx answer to a caller without
# view_patients (nor to the intruder), unless that caller sent it.
DATE_OF_BIRTH, PHONE = "1937-04-05", "555-0142"
SOAP = "Quintessa reports knee pain on the stairs"
PHI = frozenset({NAME, DATE_OF_BIRTH, PHONE, SOAP, "%PDF-"})

VIEW = ("view_patients",)

# --- notes ---------------------------------------------------------------------------

NOTES: dict[tuple[str, str], Row] = {
    # Vendor staff under a grant (revenue cycle, support) read with view_patients; no writes.
    ("GET", "/patients"): Row("/patients", rule(200, VIEW, intruder=200, vendor=200),
                              object_route=False),
    ("POST", "/patients/search"): Row("/patients/search",
                                      rule(200, VIEW, intruder=200, vendor=200),
                                      {"name": "Lee"}, object_route=False),
    ("GET", "/patients/{patient_id}"): Row("/patients/{patient}", rule(200, VIEW, vendor=200)),
    # The intruder names A's clinic: a clinic of another practice is refused (422).
    ("POST", "/patients"): Row("/patients", rule(201, ["edit_patients"], intruder=422), {
        "clinic_id": "{clinic}", "first_name": "New", "last_name": "Patient",
        "date_of_birth": "2001-01-01"}),
    # Without view_patients a write answers a receipt, never the record (walk checks PHI).
    ("PATCH", "/patients/{patient_id}"): Row("/patients/{patient}", rule(200, ["edit_patients"]),
                                             {"phone": "555-0199"}),
    ("GET", "/patients/{patient_id}/notes"): Row("/patients/{patient}/notes",
                                                 rule(200, VIEW, vendor=200)),
    ("GET", "/patients/{patient_id}/transactions"): Row("/patients/{patient}/transactions",
                                                        rule(200, VIEW, vendor=200)),
    # Payer names are no PHI: any staff member of the practice lists them.
    ("GET", "/insurances"): Row("/insurances", rule(200, intruder=200, vendor=200),
                                object_route=False),
    # Creating a payer writes into the caller's own practice only.
    ("POST", "/insurances"): Row("/insurances", rule(201, ["manage_users"], intruder=201),
                                 {"name": "Walk Payer"}, object_route=False),
    ("PATCH", "/insurances/{insurance_id}"): Row("/insurances/{insurance}",
                                                 rule(200, ["manage_users"]),
                                                 {"name": "Renamed Payer"}),
    ("POST", "/cases"): Row("/cases", rule(201, ["edit_patients"]),
                            {"patient_id": "{patient}", "insurance_id": "{insurance}"}),
    ("GET", "/cases/{case_id}"): Row("/cases/{case}", rule(200, VIEW, vendor=200)),
    # The case's title and payer (the seeded case has a finalized note: its payer is locked).
    ("PATCH", "/cases/{case_id}"): Row("/cases/{case}", rule(200, ["edit_patients"]),
                                       {"title": "Walk case"}),
    ("POST", "/notes"): Row("/notes", rule(201, ["start_notes"]), {
        "case_id": "{case}", "kind": "daily_note", "date_of_service": "2026-11-20"}),
    ("GET", "/notes/{note_id}"): Row("/notes/{draft}", rule(200, VIEW, vendor=200)),
    ("GET", "/notes/{note_id}/billing-codes"): Row("/notes/{draft}/billing-codes",
                                                   rule(200, VIEW, vendor=200)),
    ("GET", "/notes/{note_id}/pdf"): Row("/notes/{signed}/pdf", rule(200, VIEW, vendor=200)),
    # The author edits their draft: who may is the domain's rule, not a permission.
    ("PATCH", "/notes/{note_id}"): Row("/notes/{draft}", rule(200),
                                       {"version": 1, "plan": "walk"}),
    # The author forwards their draft with forward SOAP notes, to a therapist who can finalize.
    ("POST", "/notes/{note_id}/forward"): Row(
        "/notes/{to_forward}/forward", rule(200, ["forward_notes"]),
        {"version": 1, "to_user_id": "{therapist}"}),
    # Only the author recalls a forwarded note; taking one's own note back needs no permission.
    ("POST", "/notes/{note_id}/recall"): Row("/notes/{forwarded}/recall", rule(200),
                                             {"version": 2}),
    # The caller's own work list (the assistant's draft forwarded to the owner); another
    # practice's owner gets their own, empty list.
    ("GET", "/notes/awaiting-my-cosignature"): Row(
        "/notes/awaiting-my-cosignature", rule(200, VIEW, intruder=200), object_route=False),
    # The author discards their own draft: who may is the domain's rule, as for editing it.
    ("POST", "/notes/{note_id}/discard"): Row("/notes/{to_discard}/discard", rule(200),
                                              {"version": 1}),
    # A therapist signs with finish SOAP notes (the finalization gate).
    ("POST", "/notes/{note_id}/finalize"): Row("/notes/{to_sign}/finalize",
                                               rule(200, ["finish_notes"]), {"version": 1}),
    ("POST", "/notes/{note_id}/addenda"): Row("/notes/{signed}/addenda", rule(201),
                                              {"text": "Addendum from the walk."}),
    ("DELETE", "/transactions/{transaction_id}"): Row("/transactions/{charge}",
                                                      rule(200, ["delete_transactions"])),
    # Billing staff's list of notes held back from billing: the Billing user type or a User
    # Manager (the walk's owner is a PT, so without manage_users it is refused), and vendor
    # staff under a grant; another practice's owner gets their own, empty list.
    ("GET", "/billing/held-notes"): Row(
        "/billing/held-notes", rule(200, [*VIEW, "manage_users"], intruder=200, vendor=200),
        object_route=False),
    # Treatment plans: read with view_patients (vendor staff too), written with
    # share_documents by staff only (sending one discloses to the patient by mail). The
    # intruder names A's patient or plan: not found.
    ("POST", "/treatment-plans"): Row("/treatment-plans", rule(201, ["share_documents"]), {
        "patient_id": "{plan_patient}", "items": [{"code": "D1110", "description": "Cleaning",
                                                  "price_cents": 9500}]}),
    ("GET", "/treatment-plans"): Row("/treatment-plans", rule(200, VIEW, intruder=200,
                                                               vendor=200),
                                     object_route=False),
    ("GET", "/patients/{patient_id}/treatment-plans"): Row(
        "/patients/{plan_patient}/treatment-plans", rule(200, VIEW, vendor=200)),
    ("GET", "/treatment-plans/{plan_id}"): Row("/treatment-plans/{plan_draft}",
                                               rule(200, VIEW, vendor=200)),
    ("PATCH", "/treatment-plans/{plan_id}"): Row("/treatment-plans/{plan_draft}",
                                                 rule(200, ["share_documents"]),
                                                 {"version": 1, "currency": "EUR"}),
    ("POST", "/treatment-plans/{plan_id}/send"): Row(
        "/treatment-plans/{plan_to_send}/send", rule(200, ["share_documents"])),
    ("POST", "/treatment-plans/{plan_id}/withdraw"): Row(
        "/treatment-plans/{plan_to_withdraw}/withdraw", rule(200, ["share_documents"])),
    # The patient asked for a payment plan on their page (seed_notes); staff accept it.
    ("POST", "/treatment-plans/{plan_id}/accept-payment-plan"): Row(
        "/treatment-plans/{plan_requested}/accept-payment-plan",
        rule(200, ["share_documents"])),
}

# --- docportal -----------------------------------------------------------------------


def upload_form(records: dict[str, str]) -> dict:
    return {"data": {"patient_id": records["patient"], "kind": "plan_of_care",
                     "file": (BytesIO(PDF), f"{NAME} plan of care.pdf")},
            "content_type": "multipart/form-data"}


# Each seed has recipients of its own: shares per recipient and hour are limited.
SHARE = {"document_ids": ["{document}"], "recipient_email": "{new_recipient}",
         "purpose": "treatment"}
# A patient's documents are the patient's record: reading them needs view_patients, filing
# or sharing them share_documents as well.
DOCUMENTS = ("share_documents", "view_patients")
READ_DOCUMENTS = ("view_patients",)

DOCPORTAL: dict[tuple[str, str], Row] = {
    ("GET", "/documents"): Row("/documents?patient_id={patient}",
                               rule(200, READ_DOCUMENTS, intruder=200, vendor=200),
                               object_route=False),
    # docportal knows no patients: an intruder files a document in its own practice only.
    ("POST", "/documents"): Row("/documents", rule(201, DOCUMENTS, intruder=201), upload_form,
                                object_route=False),
    ("POST", "/documents/from-note"): Row("/documents/from-note", rule(201, DOCUMENTS),
                                          {"patient_id": "{patient}", "note_id": "{note}"}),
    ("GET", "/documents/{document_id}/download"): Row("/documents/{document}/download",
                                                      rule(200, READ_DOCUMENTS, vendor=200)),
    ("GET", "/documents/{document_id}"): Row("/documents/{document}",
                                             rule(200, READ_DOCUMENTS, vendor=200)),
    # A document filed in the wrong chart; its own seed, so that the download above still works.
    ("POST", "/documents/{document_id}/withdraw"): Row(
        "/documents/{document_to_withdraw}/withdraw", rule(200, DOCUMENTS),
        {"reason": "Filed under the wrong patient"}),
    ("POST", "/shares"): Row("/shares", rule(201, DOCUMENTS), SHARE),
    # The caller's own shares (sender=all needs manage_users); another practice's owner gets
    # their own, empty list.
    ("GET", "/shares"): Row("/shares", rule(200, DOCUMENTS, intruder=200), object_route=False),
    ("GET", "/shares/{share_id}"): Row("/shares/{share}", rule(200, DOCUMENTS)),
    ("POST", "/shares/{share_id}/revoke"): Row("/shares/{share_to_revoke}/revoke",
                                               rule(200, DOCUMENTS)),
    ("POST", "/shares/{share_id}/reshare"): Row("/shares/{share_to_reshare}/reshare",
                                                rule(201, DOCUMENTS), {}),
}

# --- audit ---------------------------------------------------------------------------

AUDIT_ROLE = ("view_audit",)


def audit_rule(ok: int, *, intruder: int = 404, **by_caller: int) -> dict[str, int]:
    """An audit operation: view_audit, and practice A's service account (scope view_audit)
    reads its own practice's record like a User Manager holding view_audit."""
    return rule(ok, AUDIT_ROLE, intruder=intruder, **{"service": ok, **by_caller})


AUDIT: dict[tuple[str, str], Row] = {
    ("GET", "/events"): Row("/events", audit_rule(200, intruder=200), object_route=False),
    ("GET", "/alerts"): Row("/alerts", audit_rule(200, intruder=200), object_route=False),
    ("POST", "/alerts/{alert_id}/acknowledge"): Row("/alerts/{alert}/acknowledge",
                                                    audit_rule(200), {"note": "walk"}),
    ("POST", "/alerts/{alert_id}/resolve"): Row("/alerts/{alert}/resolve", audit_rule(200),
                                                {"note": "walk"}),
    # After the resolve above: a resolved alert is reopened.
    ("POST", "/alerts/{alert_id}/reopen"): Row("/alerts/{alert}/reopen", audit_rule(200),
                                               {"note": "walk"}),
    # The practice's own webhook: only its User Managers (staff with manage_users) set it.
    ("GET", "/alert-webhook"): Row("/alert-webhook", audit_rule(200, intruder=200),
                                   object_route=False),
    ("PUT", "/alert-webhook"): Row("/alert-webhook", rule(
        200, (*AUDIT_ROLE, "manage_users"), intruder=200),
        {"url": "https://siem.example/clinic-alerts"}, object_route=False),
    ("DELETE", "/alert-webhook"): Row("/alert-webhook", rule(
        204, (*AUDIT_ROLE, "manage_users"), intruder=204), object_route=False),
    ("GET", "/alert-deliveries"): Row("/alert-deliveries", audit_rule(200, intruder=200),
                                      object_route=False),
    ("POST", "/alert-deliveries/{delivery_id}/retry"): Row(
        "/alert-deliveries/{delivery}/retry", audit_rule(200)),
    # Reports of A's ids asked by B are B's reports: empty, with nothing of A in them.
    ("GET", "/reports/access"): Row("/reports/access?user_id={user}",
                                    audit_rule(200, intruder=200), object_route=False),
    ("GET", "/reports/patient-access"): Row("/reports/patient-access?patient_id={patient}",
                                            audit_rule(200, intruder=200), object_route=False),
    ("GET", "/reports/disclosures"): Row("/reports/disclosures?patient_id={patient}",
                                         audit_rule(200, intruder=200), object_route=False),
    ("GET", "/verify"): Row("/verify", audit_rule(200, intruder=200), object_route=False),
    ("GET", "/breach-assessments"): Row("/breach-assessments", audit_rule(200, intruder=200),
                                        object_route=False),
    ("POST", "/breach-assessments"): Row(
        "/breach-assessments", audit_rule(201, intruder=201),
        {"discovered_on": "2026-11-23", "patient_ids": ["{patient}"]}, object_route=False),
    ("GET", "/breach-assessments/{assessment_id}"): Row("/breach-assessments/{assessment}",
                                                        audit_rule(200)),
    ("GET", "/stream"): Row("/stream?after=0&max_seconds=0.2",
                            audit_rule(200, intruder=200), object_route=False),
}
