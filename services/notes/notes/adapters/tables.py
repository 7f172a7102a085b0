"""The notes database: identity's projection, patients, insurances, cases, notes, charges."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from servicekit.db import UTCDateTime
from servicekit.idempotency import idempotency_table
from servicekit.mail_outbox import mail_outbox_table
from servicekit.messaging.tables import messaging_tables
from servicekit.web.pages import page_sessions_table

metadata = MetaData()
messaging = messaging_tables(metadata)
# The treatment plan mails, queued with the sending (servicekit.mail_outbox).
mail_outbox = mail_outbox_table(metadata)
# The answers of creating POSTs sent with an Idempotency-Key (servicekit.idempotency).
idempotency_keys = idempotency_table(metadata)

ID = 36  # uuid4 as text

# --- identity, as notes last heard of it (fed by the notes.identity consumer) -------------

projected_practices = Table(
    "projected_practices", metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(200), nullable=True),
    # {"name": ..., "provider_ids": [...]} when identity announces a billing integration.
    Column("billing_integration", JSON, nullable=True),
    # therapy or dental, as identity.practice.created says (older events: therapy).
    Column("model", String(10), nullable=False, server_default=text("'therapy'")),
    Column("updated_at", UTCDateTime(), nullable=False),
)

projected_users = Table(
    "projected_users", metadata,
    Column("id", String(ID), primary_key=True),
    Column("org_id", String(ID), nullable=False, index=True),
    # Null until identity.user.created arrives (events may come in any order).
    Column("full_name", String(200), nullable=True),
    Column("email", String(320), nullable=True),
    Column("kind", String(20), nullable=True),
    Column("user_type", String(40), nullable=True),
    Column("category", String(20), nullable=True),
    Column("permissions", JSON, nullable=False),
    Column("permission_version", Integer, nullable=False),
    Column("supervising_therapist_id", String(ID), nullable=True),
    Column("status", String(20), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

projected_clinics = Table(
    "projected_clinics", metadata,
    Column("id", String(ID), primary_key=True),
    Column("org_id", String(ID), nullable=False, index=True),
    Column("name", String(200), nullable=True),
    Column("assistants_may_finalize", Boolean, nullable=False),
    # When the setting was last decided at identity: an older event never overwrites it.
    Column("settings_at", UTCDateTime(), nullable=False),
    # The IANA zone its note PDFs show times in (identity's clinic setting).
    Column("time_zone", String(64), nullable=False, server_default=text("'UTC'")),
)

# --- the service's own records ---------------------------------------------------------------

patients = Table(
    "patients", metadata,
    Column("id", String(ID), primary_key=True),
    Column("org_id", String(ID), nullable=False),
    Column("clinic_id", String(ID), nullable=False),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("date_of_birth", Date, nullable=False),
    Column("phone", String(40), nullable=True),
    Column("email", String(320), nullable=True),
    Column("address", String(500), nullable=True),
    Column("state_of_residence", String(2), nullable=True),  # US code, for breach notices
    Column("external_id", String(100), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_patients_org_name", "org_id", "last_name", "first_name"),
    Index("ix_patients_org_birth", "org_id", "date_of_birth"),
)

insurances = Table(
    "insurances", metadata,
    Column("id", String(ID), primary_key=True),
    Column("org_id", String(ID), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("allow_assistants_to_finalize", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

cases = Table(
    "cases", metadata,
    Column("id", String(ID), primary_key=True),
    Column("org_id", String(ID), nullable=False),
    Column("patient_id", String(ID), ForeignKey("patients.id"), nullable=False, index=True),
    Column("insurance_id", String(ID), ForeignKey("insurances.id"), nullable=False),
    Column("title", String(200), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

notes = Table(
    "notes", metadata,
    Column("id", String(ID), primary_key=True),
    Column("org_id", String(ID), nullable=False),
    Column("patient_id", String(ID), ForeignKey("patients.id"), nullable=False, index=True),
    Column("case_id", String(ID), ForeignKey("cases.id"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("date_of_service", Date, nullable=False),
    Column("subjective", Text, nullable=False),
    Column("objective", Text, nullable=False),
    Column("assessment", Text, nullable=False),
    Column("plan", Text, nullable=False),
    Column("billing_sheet", JSON, nullable=False),
    Column("author_id", String(ID), nullable=False),
    Column("author_initials", String(8), nullable=False),
    Column("supervising_therapist_id", String(ID), nullable=True),
    Column("forwarded_to_id", String(ID), nullable=True),
    Column("forwarded_at", UTCDateTime(), nullable=True),
    Column("finalized_by_id", String(ID), nullable=True),
    Column("cosigner_id", String(ID), nullable=True),
    Column("cosigner_initials", String(8), nullable=True),
    Column("chart_initials", String(20), nullable=True),
    Column("finalized_at", UTCDateTime(), nullable=True),
    Column("billing_export_status", String(20), nullable=True),
    Column("billing_provider_id", String(ID), nullable=True),
    Column("billing_export_reason", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    # A draft discarded by its author: the row stays, the chart no longer lists it.
    Column("discarded_at", UTCDateTime(), nullable=True),
    Column("discarded_by_id", String(ID), nullable=True),
    # A therapist's list of notes awaiting their co-signature.
    Index("ix_notes_forwarded_to", "org_id", "forwarded_to_id", "forwarded_at"),
)

addenda = Table(
    "addenda", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("note_id", String(ID), ForeignKey("notes.id"), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("author_id", String(ID), nullable=False),
    Column("author_initials", String(8), nullable=False),
    Column("added_at", UTCDateTime(), nullable=False),
)

# A finalized note's PDF per version (1 + its addenda): rendered once, kept in object storage.
# Until rendered_at is set the row is the claim of whoever renders it, for claimed_until.
note_pdfs = Table(
    "note_pdfs", metadata,
    Column("note_id", String(ID), ForeignKey("notes.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("org_id", String(ID), nullable=False),
    Column("object_key", String(200), nullable=False),
    Column("size_bytes", Integer, nullable=True),
    Column("claimed_until", UTCDateTime(), nullable=True),
    Column("rendered_at", UTCDateTime(), nullable=True),
)

transactions = Table(
    "transactions", metadata,
    Column("id", String(ID), primary_key=True),
    Column("org_id", String(ID), nullable=False),
    Column("note_id", String(ID), ForeignKey("notes.id"), nullable=False),
    Column("patient_id", String(ID), ForeignKey("patients.id"), nullable=False, index=True),
    Column("case_id", String(ID), ForeignKey("cases.id"), nullable=False),
    Column("code", String(10), nullable=False),
    Column("units", Integer, nullable=False),
    Column("modifiers", JSON, nullable=False),
    Column("manual", Boolean, nullable=False),
    Column("date_of_service", Date, nullable=False),
    Column("provider_id", String(ID), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("deleted_at", UTCDateTime(), nullable=True),
    Column("deleted_by_id", String(ID), nullable=True),
)

# One row per finalized note of a practice with a billing integration: the note goes to the
# billing system at most once (note_id is unique), from this outbox, by `notes billing-export`.
billing_exports = Table(
    "billing_exports", metadata,
    Column("id", String(ID), primary_key=True),  # also the Idempotency-Key of every send
    Column("org_id", String(ID), nullable=False),
    Column("note_id", String(ID), ForeignKey("notes.id"), nullable=False, unique=True),
    Column("patient_id", String(ID), nullable=False),
    Column("author_id", String(ID), nullable=False),
    Column("finalized_by_id", String(ID), nullable=False),
    Column("finalized_at", UTCDateTime(), nullable=False),
    Column("integration", String(200), nullable=False),
    Column("status", String(20), nullable=False),  # pending, held, sent, failed
    Column("reason_code", String(40), nullable=True),
    Column("reason", Text, nullable=True),
    Column("payload", JSON, nullable=False),  # the billing sheet as the billing system gets it
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=True),
    Column("last_error", String(300), nullable=True),
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_billing_exports_due", "status", "next_attempt_at"),
    Index("ix_billing_exports_org_status", "org_id", "status", "finalized_at"),
    Index("ix_billing_exports_finalizer", "org_id", "finalized_by_id", "status"),
)

# --- digital treatment plans (domain/treatment_plans.py) ------------------------------------

treatment_plans = Table(
    "treatment_plans", metadata,
    Column("id", String(ID), primary_key=True),
    Column("org_id", String(ID), nullable=False),
    Column("patient_id", String(ID), ForeignKey("patients.id"), nullable=False, index=True),
    Column("clinic_id", String(ID), nullable=False),
    Column("practitioner_user_id", String(ID), nullable=False),
    Column("currency", String(3), nullable=False),
    # [{code, description, price_cents, quantity}], as the patient is shown them.
    Column("items", JSON, nullable=False),
    Column("total_cents", Integer, nullable=False),
    Column("status", String(30), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_by_id", String(ID), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("opened_at", UTCDateTime(), nullable=True),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("payment_plan_accepted_at", UTCDateTime(), nullable=True),
    Column("withdrawn_at", UTCDateTime(), nullable=True),
    # The one live link (domain/plan_links.py): the SHA-256 of its token, never the token;
    # a new send replaces it, so an older link finds nothing.
    Column("link_token_hash", String(64), nullable=True, unique=True),
    Column("link_sent_to", String(320), nullable=True),
    Column("link_expires_at", UTCDateTime(), nullable=True),
    Column("link_wrong_addresses", Integer, nullable=False, server_default=text("0")),
    Index("ix_treatment_plans_org_status", "org_id", "status", "updated_at"),
)

# The patient pages' sessions (servicekit.web.pages.store): which links this browser proved
# the address of, and the CSRF token of its forms.
plan_page_sessions = page_sessions_table("plan_page_sessions", metadata)
