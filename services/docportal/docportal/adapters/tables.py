"""The docportal database: documents, shares, what recipients did (or were refused), practices."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
)

from servicekit.db import UTCDateTime
from servicekit.idempotency import idempotency_table
from servicekit.mail_outbox import mail_outbox_table
from servicekit.messaging.tables import messaging_tables
from servicekit.web.pages import page_sessions_table

metadata = MetaData()
messaging = messaging_tables(metadata)
# The answers of creating POSTs sent with an Idempotency-Key (servicekit.idempotency).
idempotency_keys = idempotency_table(metadata)
# The share emails, queued with the share (servicekit.mail_outbox).
mail_outbox = mail_outbox_table(metadata)

BigId = BigInteger().with_variant(Integer(), "sqlite")

documents = Table(
    "documents",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("org_id", String(64), nullable=False),
    Column("patient_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    # "<org>/<document id>": never the file name, which may hold a patient's name.
    Column("storage_key", String(120), nullable=False, unique=True),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded_at", UTCDateTime(), nullable=False),
    # A document filed in the wrong chart is withdrawn, never deleted: row and bytes stay.
    Column("withdrawn_at", UTCDateTime(), nullable=True),
    Column("withdrawn_by", String(64), nullable=True),
    Column("withdrawal_reason", String(300), nullable=True),
    Index("ix_documents_patient", "org_id", "patient_id", "uploaded_at"),
)

shares = Table(
    "shares",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("org_id", String(64), nullable=False),
    Column("patient_id", String(64), nullable=False),
    Column("recipient_email", String(254), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("purpose_description", String(300), nullable=True),
    Column("message", Text, nullable=True),
    Column("shared_by", String(64), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("supersedes_id", String(36), nullable=True),
    Column("claimed_at", UTCDateTime(), nullable=True),
    Column("claimed_by", String(64), nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Column("revoked_by", String(64), nullable=True),
    Column("superseded_by_id", String(36), nullable=True),
    Column("superseded_at", UTCDateTime(), nullable=True),
    # NULL while the email is still to be sent (the mail server was down).
    Column("mail_sent_at", UTCDateTime(), nullable=True),
    # Sends it took, written when it went (until then the mail outbox counts them). Before the
    # mail outbox (migration 0010) the retrier scheduled the next send here: a share still
    # pending with mail_next_attempt_at set is handed over to the outbox once.
    Column("mail_attempts", Integer, nullable=False, server_default="0"),
    Column("mail_next_attempt_at", UTCDateTime(), nullable=True),
    Index("ix_shares_org_patient", "org_id", "patient_id"),
    # The recipient's "shared with me": every share their account claimed.
    Index("ix_shares_claimed_by", "claimed_by"),
    # The share limits count a sender's and an address's recent share mails.
    Index("ix_shares_sender_sent", "org_id", "shared_by", "sent_at"),
    Index("ix_shares_recipient_sent", "org_id", "recipient_email", "sent_at"),
)
# The shares to hand over to the mail outbox: only pending ones, a handful at most.
_mail_pending = shares.c.mail_sent_at.is_(None)
Index("ix_shares_mail_pending", shares.c.mail_next_attempt_at,
      postgresql_where=_mail_pending, sqlite_where=_mail_pending)

share_documents = Table(
    "share_documents",
    metadata,
    Column("share_id", String(36), ForeignKey("shares.id"), primary_key=True),
    Column("document_id", String(36), ForeignKey("documents.id"), primary_key=True),
    Column("position", Integer, nullable=False),
)

share_activity = Table(
    "share_activity",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("share_id", String(36), ForeignKey("shares.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("document_id", String(36), nullable=True),
    Column("account_id", String(64), nullable=False),
    Column("client", String(300), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
)

# Opens of a share that were turned away (another account, a dead link): kept for the
# sender and evented for audit, never shown to whoever was refused.
share_refusals = Table(
    "share_refusals",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("share_id", String(36), ForeignKey("shares.id"), nullable=False, index=True),
    Column("reason", String(64), nullable=False),
    Column("account_id", String(64), nullable=True),
    Column("document_id", String(36), nullable=True),
    Column("client", String(300), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
)

# A projection of identity.practice.created: the name the share email is signed with.
practices = Table(
    "practices",
    metadata,
    Column("org_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# A projection of identity's clinic time zones (identity.practice.created, .clinic.created,
# .clinic.settings_changed): the portal shows a practice's times in its first clinic's zone.
clinic_time_zones = Table(
    "clinic_time_zones",
    metadata,
    Column("clinic_id", String(64), primary_key=True),
    Column("org_id", String(64), nullable=False, index=True),
    Column("time_zone", String(64), nullable=False),
    Column("first_of_practice", Boolean, nullable=False, server_default=false()),
    # When identity decided the zone: an older event never overwrites a newer one.
    Column("updated_at", UTCDateTime(), nullable=False),
)

# The recipient pages' sessions (adapters/portal_sessions.py): the browser's cookie holds a
# random id; the row is found by its SHA-256 and its data is sealed under a key derived from it.
portal_sessions = page_sessions_table("portal_sessions", metadata)
