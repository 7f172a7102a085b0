"""identity projection, patients, insurances, cases, notes, addenda, transactions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:15:33.198324

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import servicekit.db

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "insurances",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("allow_assistants_to_finalize", sa.Boolean(), nullable=False),
        sa.Column("created_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("insurances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_insurances_org_id"), ["org_id"], unique=False)

    op.create_table(
        "patients",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("clinic_id", sa.String(length=36), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.create_index("ix_patients_org_birth", ["org_id", "date_of_birth"], unique=False)
        batch_op.create_index(
            "ix_patients_org_name", ["org_id", "last_name", "first_name"], unique=False
        )

    op.create_table(
        "projected_clinics",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("assistants_may_finalize", sa.Boolean(), nullable=False),
        sa.Column("settings_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("projected_clinics", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projected_clinics_org_id"), ["org_id"], unique=False)

    op.create_table(
        "projected_practices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("billing_integration", sa.JSON(), nullable=True),
        sa.Column("updated_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "projected_users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("user_type", sa.String(length=40), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=True),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.Column("permission_version", sa.Integer(), nullable=False),
        sa.Column("supervising_therapist_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("updated_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("projected_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projected_users_org_id"), ["org_id"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("insurance_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("created_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["insurance_id"],
            ["insurances.id"],
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "notes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("date_of_service", sa.Date(), nullable=False),
        sa.Column("subjective", sa.Text(), nullable=False),
        sa.Column("objective", sa.Text(), nullable=False),
        sa.Column("assessment", sa.Text(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("billing_sheet", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("author_initials", sa.String(length=8), nullable=False),
        sa.Column("supervising_therapist_id", sa.String(length=36), nullable=True),
        sa.Column("forwarded_to_id", sa.String(length=36), nullable=True),
        sa.Column("forwarded_at", servicekit.db.UTCDateTime(), nullable=True),
        sa.Column("finalized_by_id", sa.String(length=36), nullable=True),
        sa.Column("cosigner_id", sa.String(length=36), nullable=True),
        sa.Column("cosigner_initials", sa.String(length=8), nullable=True),
        sa.Column("chart_initials", sa.String(length=20), nullable=True),
        sa.Column("finalized_at", servicekit.db.UTCDateTime(), nullable=True),
        sa.Column("billing_export_status", sa.String(length=20), nullable=True),
        sa.Column("billing_provider_id", sa.String(length=36), nullable=True),
        sa.Column("billing_export_reason", sa.Text(), nullable=True),
        sa.Column("created_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notes_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "addenda",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("note_id", sa.String(length=36), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("author_initials", sa.String(length=8), nullable=False),
        sa.Column("added_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["notes.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("addenda", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_addenda_note_id"), ["note_id"], unique=False)

    op.create_table(
        "transactions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("note_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("modifiers", sa.JSON(), nullable=False),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.Column("date_of_service", sa.Date(), nullable=False),
        sa.Column("provider_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", servicekit.db.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", servicekit.db.UTCDateTime(), nullable=True),
        sa.Column("deleted_by_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["notes.id"],
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transactions_patient_id"), ["patient_id"], unique=False
        )



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transactions_patient_id"))

    op.drop_table("transactions")
    with op.batch_alter_table("addenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_addenda_note_id"))

    op.drop_table("addenda")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notes_patient_id"))

    op.drop_table("notes")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_patient_id"))

    op.drop_table("cases")
    with op.batch_alter_table("projected_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projected_users_org_id"))

    op.drop_table("projected_users")
    op.drop_table("projected_practices")
    with op.batch_alter_table("projected_clinics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projected_clinics_org_id"))

    op.drop_table("projected_clinics")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_index("ix_patients_org_name")
        batch_op.drop_index("ix_patients_org_birth")

    op.drop_table("patients")
    with op.batch_alter_table("insurances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_insurances_org_id"))

    op.drop_table("insurances")
