"""The tables of notifications and digests (migration 0016), on identity's one metadata.

Kept apart from tables.py so that this feature's schema reads in one place; identity.spec
imports it (through the activity consumer), so every process and the migration check see it.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    text,
)

from identity.adapters.tables import metadata
from servicekit.db import UTCDateTime

# A person's own notification and digest choices, once they changed any (else the role's
# defaults apply): JSON lists of codes.
notification_preferences = Table(
    "notification_preferences",
    metadata,
    Column("user_id", String(36), ForeignKey("users.id"), primary_key=True),
    Column("org_id", String(36), nullable=False),
    Column("notifications", JSON, nullable=False),
    Column("digests", JSON, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# One mail owed per (event, person): the key is what makes a redelivered event mail once.
# facts: the non-PHI facts the mail says (what happened, clinic, value), never a patient.
notification_mails = Table(
    "notification_mails",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("user_id", String(36), primary_key=True),
    Column("org_id", String(36), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("facts", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", UTCDateTime(), nullable=True),
    Column("sent_at", UTCDateTime(), nullable=True),
)
Index("ix_notification_mails_due", notification_mails.c.sent_at,
      notification_mails.c.next_attempt_at)

# Daily counters per practice (user_id "") and per staff member, from the platform's events.
activity_counts = Table(
    "activity_counts",
    metadata,
    Column("org_id", String(36), primary_key=True),
    Column("user_id", String(36), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("metric", String(60), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("value_cents", BigInteger, nullable=False),
)

# Who sent each share, so that a recipient's view counts for its sender's digest.
share_senders = Table(
    "share_senders",
    metadata,
    Column("share_id", String(36), primary_key=True),
    Column("org_id", String(36), nullable=False),
    Column("user_id", String(36), nullable=False),
)

# A digest is claimed here before it is mailed: the key makes it once per person and period.
sent_digests = Table(
    "sent_digests",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("digest", String(40), primary_key=True),
    Column("period_start", Date, primary_key=True),
    Column("org_id", String(36), nullable=False),
    Column("period_end", Date, nullable=False),
    Column("sent_at", UTCDateTime(), nullable=False),
    Column("delivered", Boolean, nullable=False),
)
