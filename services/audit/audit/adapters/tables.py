from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text

from servicekit.db import UTCDateTime
from servicekit.messaging.tables import messaging_tables

metadata = MetaData()
messaging = messaging_tables(metadata)

# Every event the platform emitted, as received. Append-only: nothing in the service updates
# or deletes a row (the hash chain that proves it comes with the audit issue).
audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
           autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("type", String(200), nullable=False),
    Column("producer", String(40), nullable=False),
    Column("org_id", String(36), nullable=True),
    Column("actor_id", String(64), nullable=True),
    Column("patient_id", String(64), nullable=True),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("envelope", Text, nullable=False),
)
Index("ix_audit_events_org_time", audit_events.c.org_id, audit_events.c.occurred_at)
Index("ix_audit_events_actor_time", audit_events.c.actor_id, audit_events.c.occurred_at)
Index("ix_audit_events_patient_time", audit_events.c.patient_id, audit_events.c.occurred_at)
Index("ix_audit_events_type", audit_events.c.type)
