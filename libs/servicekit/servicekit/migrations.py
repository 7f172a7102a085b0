"""Alembic glue: each service's migrations/env.py calls ``run_env``; ``upgrade`` runs them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData

from servicekit.db import make_engine

if TYPE_CHECKING:
    from alembic.operations import Operations
    from alembic.runtime.environment import EnvironmentContext


def alembic_config(script_location: Path, database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(script_location: Path, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(script_location, database_url), revision)


def run_env(context: EnvironmentContext, metadata: MetaData,
            default_url: Callable[[], str]) -> None:
    """The body of a service's migrations/env.py (online mode; SQLite uses batch mode)."""
    cfg = context.config
    url = cfg.attributes.get("database_url") or cfg.get_main_option("sqlalchemy.url") or (
        default_url()
    )
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                render_as_batch=url.startswith("sqlite"),
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
    finally:
        engine.dispose()


def create_messaging_tables_v1(op: Operations) -> None:
    """The outbox and inbox tables as first released; call from a service's first migration.

    Later changes to these tables get their own ``..._v2`` step, so that old migrations never
    change under a database that already ran them.
    """
    import sqlalchemy as sa

    from servicekit.db import UTCDateTime

    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(length=100), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("processed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index(
        "ix_outbox_unsent", "outbox", ["id"], unique=False,
        postgresql_where=sa.text("sent_at IS NULL"), sqlite_where=sa.text("sent_at IS NULL"),
    )


def drop_messaging_tables_v1(op: Operations) -> None:
    op.drop_index("ix_outbox_unsent", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("inbox")
