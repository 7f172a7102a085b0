from sqlalchemy import Column, ForeignKey, MetaData, String, Table, UniqueConstraint

from servicekit.db import UTCDateTime
from servicekit.messaging.tables import messaging_tables

metadata = MetaData()
messaging = messaging_tables(metadata)

practices = Table(
    "practices",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("org_id", String(36), ForeignKey("practices.id"), nullable=False, index=True),
    Column("email", String(320), nullable=False),
    Column("email_normalized", String(320), nullable=False),
    Column("full_name", String(200), nullable=False),
    Column("user_type", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("org_id", "email_normalized", name="uq_users_org_email"),
)
