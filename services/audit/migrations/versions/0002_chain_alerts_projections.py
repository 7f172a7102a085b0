"""hash chain on audit_events, checkpoints, alerts, identity projections

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:45:00

Existing records are chained in their arrival order, so a database that ran 0001 keeps
every event and gains tamper evidence from here on.
"""

import json
import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import servicekit.db
from audit.domain.chain import ChainHead, append_record, partition_for

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "chain_heads",
        sa.Column("partition", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("partition"),
    )
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("partition", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("chain_seq", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _chain_existing_records()
    with op.batch_alter_table("audit_events") as batch:
        for name in ("partition", "chain_seq", "prev_hash", "hash"):
            batch.alter_column(name, nullable=False)
        batch.create_unique_constraint("uq_audit_events_chain", ["partition", "chain_seq"])

    op.create_table(
        "chain_checkpoints",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("taken_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_chain_checkpoints_partition_seq", "chain_checkpoints",
                    ["partition", "seq"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=True),
        sa.Column("profile_id", sa.String(length=64), nullable=True),
        sa.Column("subject_key", sa.String(length=400), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("raised_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("status_note", sa.Text(), nullable=True),
        sa.Column("status_by", sa.String(length=64), nullable=True),
        sa.Column("status_changed_at", servicekit.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alerts_org_status", "alerts", ["org_id", "status"])
    op.create_index("ix_alerts_subject", "alerts", ["org_id", "subject_key", "reason"])
    op.create_table(
        "known_practices",
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=True),
        sa.Column("recognized_domains", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("org_id"),
    )
    op.create_table(
        "known_profiles",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("ix_known_profiles_org", "known_profiles", ["org_id"])
    op.create_table(
        "access_grants",
        sa.Column("grant_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=True),
        sa.Column("purpose", sa.String(length=400), nullable=False),
        sa.Column("starts_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("ends_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", servicekit.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("grant_id"),
    )
    op.create_index("ix_access_grants_user", "access_grants", ["user_id"])


def _chain_existing_records() -> None:
    partitions = int(os.environ.get("AUDIT_CHAIN_PARTITIONS") or 8)
    conn = op.get_bind()
    events = sa.table("audit_events", sa.column("seq"), sa.column("envelope"),
                      sa.column("partition"), sa.column("chain_seq"),
                      sa.column("prev_hash"), sa.column("hash"))
    heads: dict[int, ChainHead] = {}
    rows = conn.execute(sa.select(events.c.seq, events.c.envelope).order_by(events.c.seq))
    for seq, envelope in rows.all():
        event = json.loads(envelope)
        partition = partition_for(event.get("org_id") or event["id"], partitions)
        record = append_record(heads.get(partition, ChainHead.genesis(partition)), event)
        heads[partition] = record.head
        conn.execute(events.update().where(events.c.seq == seq).values(
            partition=partition, chain_seq=record.seq, prev_hash=record.prev_hash,
            hash=record.hash))
    if heads:
        conn.execute(sa.table("chain_heads", sa.column("partition"), sa.column("seq"),
                              sa.column("hash")).insert(),
                     [{"partition": h.partition, "seq": h.seq, "hash": h.hash}
                      for h in heads.values()])


def downgrade() -> None:
    op.drop_table("access_grants")
    op.drop_table("known_profiles")
    op.drop_table("known_practices")
    op.drop_table("alerts")
    op.drop_table("chain_checkpoints")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_constraint("uq_audit_events_chain", type_="unique")
        for name in ("hash", "prev_hash", "chain_seq", "partition"):
            batch.drop_column(name)
    op.drop_table("chain_heads")
