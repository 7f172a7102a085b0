"""Alembic glue: each service's migrations/env.py calls ``run_env``; ``upgrade`` runs them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData

from servicekit.db import make_engine


def alembic_config(script_location: Path, database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(script_location: Path, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(script_location, database_url), revision)


def run_env(context: object, metadata: MetaData, default_url: Callable[[], str]) -> None:
    """The body of a service's migrations/env.py (online mode; SQLite uses batch mode)."""
    cfg = context.config  # type: ignore[attr-defined]
    url = cfg.attributes.get("database_url") or cfg.get_main_option("sqlalchemy.url") or (
        default_url()
    )
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(  # type: ignore[attr-defined]
                connection=connection,
                target_metadata=metadata,
                render_as_batch=url.startswith("sqlite"),
                compare_type=True,
            )
            with context.begin_transaction():  # type: ignore[attr-defined]
                context.run_migrations()  # type: ignore[attr-defined]
            connection.commit()
    finally:
        engine.dispose()
