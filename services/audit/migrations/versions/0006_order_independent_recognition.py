"""recognition that ends the same whatever order identity's events arrive in

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 10:00:00

Profile statements and vendor entries are kept with their times, verdicts are kept so that a
later fact re-judges them, and every change of an alert's status is recorded (append-only).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import servicekit.db

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSAL = "alert status changes are append-only; record a new change instead"
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("known_practices") as batch:
        batch.add_column(sa.Column("domains_stated_at", servicekit.db.UTCDateTime(),
                                   nullable=True))
    with op.batch_alter_table("known_invitations") as batch:
        batch.add_column(sa.Column("sent_at", servicekit.db.UTCDateTime(), nullable=True))
    op.create_table(
        "profile_statements",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=True),
        sa.Column("occurred_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_by_kind", sa.String(length=20), nullable=True),
        sa.Column("invitation_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_profile_statements_user", "profile_statements",
                    ["user_id", "occurred_at"])
    op.create_index("ix_profile_statements_creator", "profile_statements", ["created_by"])
    op.create_index("ix_profile_statements_invitation", "profile_statements",
                    ["invitation_id"])
    op.create_table(
        "vendor_entries",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("entered_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("access_grant_id", sa.String(length=64), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_vendor_entries_user_org", "vendor_entries", ["user_id", "org_id"])
    op.create_table(
        "recognition_verdicts",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=True),
        sa.Column("profile_id", sa.String(length=64), nullable=True),
        sa.Column("subject_key", sa.String(length=400), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=True),
        sa.Column("decided_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_recognition_verdicts_group", "recognition_verdicts",
                    ["org_id", "subject_key", "reason"])
    op.create_table(
        "alert_status_changes",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("changed_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_status_changes_alert", "alert_status_changes",
                    ["alert_id", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION alert_status_changes_refuse_change() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER alert_status_changes_append_only
            BEFORE UPDATE OR DELETE ON alert_status_changes
            FOR EACH ROW EXECUTE FUNCTION alert_status_changes_refuse_change()""")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER alert_status_changes_no_{action.lower()}
                BEFORE {action} ON alert_status_changes
                BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS alert_status_changes_append_only "
                   "ON alert_status_changes")
        op.execute("DROP FUNCTION IF EXISTS alert_status_changes_refuse_change()")
    op.drop_index("ix_alert_status_changes_alert", table_name="alert_status_changes")
    op.drop_table("alert_status_changes")
    op.drop_index("ix_recognition_verdicts_group", table_name="recognition_verdicts")
    op.drop_table("recognition_verdicts")
    op.drop_index("ix_vendor_entries_user_org", table_name="vendor_entries")
    op.drop_table("vendor_entries")
    op.drop_index("ix_profile_statements_invitation", table_name="profile_statements")
    op.drop_index("ix_profile_statements_creator", table_name="profile_statements")
    op.drop_index("ix_profile_statements_user", table_name="profile_statements")
    op.drop_table("profile_statements")
    with op.batch_alter_table("known_invitations") as batch:
        batch.drop_column("sent_at")
    with op.batch_alter_table("known_practices") as batch:
        batch.drop_column("domains_stated_at")
