"""Which access tokens still count: every service's projection of identity's revocations.

A signed token stays valid until it expires; what ends it sooner is a fact identity announces:
a user's permission version went up (a permission change, deactivation, password set or
reset, a rotated service account) or a session ended (sign-out, refresh-token reuse, a grant
revoked). Each service keeps those facts in two small tables of its own database, fed by a
subscription servicekit adds to every service that does not issue tokens itself, and refuses
older tokens on every request (see ``servicekit.auth``). Identity answers from its own tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    exists,
    select,
    update,
)
from sqlalchemy.orm import Session

from servicekit.db import READS_ONLY, UTCDateTime, insert_on_conflict

if TYPE_CHECKING:
    from alembic.operations import Operations

    from servicekit.auth import Principal
    from servicekit.db import UnitOfWork
    from servicekit.messaging.envelope import Event

#: Identity's events, all of which may carry a permission version or end a session.
BINDINGS = ("identity.#",)
SESSION_ENDING_EVENTS = frozenset({"identity.session.signed_out", "identity.session.revoked"})

TOKEN_OUTDATED = "token_outdated"
SESSION_ENDED = "session_ended"

class TokenState(Protocol):
    """Answers whether a verified token was revoked since it was issued."""

    def refusal(self, principal: Principal) -> str | None:
        """``None`` if the token still counts, else why not (TOKEN_OUTDATED, SESSION_ENDED)."""


@dataclass(frozen=True)
class TokenStateTables:
    versions: Table
    ended_sessions: Table


def token_state_tables(metadata: MetaData) -> TokenStateTables:
    versions = Table(
        "token_versions",
        metadata,
        Column("user_id", String(64), primary_key=True),
        Column("permission_version", Integer, nullable=False),
        Column("updated_at", UTCDateTime(), nullable=False),
    )
    ended = Table(
        "ended_sessions",
        metadata,
        Column("session_id", String(64), primary_key=True),
        Column("user_id", String(64), nullable=False),
        Column("ended_at", UTCDateTime(), nullable=False),
    )
    return TokenStateTables(versions=versions, ended_sessions=ended)


def says_anything_about_tokens(event: Event) -> bool:
    """Whether ``event`` can change the token state (most of identity's events cannot)."""
    data = event.data or {}
    version = data.get("permission_version")
    if isinstance(version, int) and not isinstance(version, bool):
        return True
    return event.type in SESSION_ENDING_EVENTS and isinstance(data.get("session_id"), str)


def record_token_state(tables: TokenStateTables, session: Session, event: Event) -> None:
    """Keep what ``event`` says about tokens; idempotent and order-independent."""
    data = event.data or {}
    user_id = data.get("user_id") if event.subject.type != "user" else event.subject.id
    if not isinstance(user_id, str) or not user_id:
        return
    now = datetime.now(UTC)
    version = data.get("permission_version")
    if isinstance(version, int) and not isinstance(version, bool):
        _raise_version(tables, session, user_id, version, now)
    session_id = data.get("session_id")
    if event.type in SESSION_ENDING_EVENTS and isinstance(session_id, str) and session_id:
        session.execute(
            insert_on_conflict(session, tables.ended_sessions)
            .values(session_id=session_id[:64], user_id=user_id, ended_at=now)
            .on_conflict_do_nothing()
        )


def _raise_version(tables: TokenStateTables, session: Session, user_id: str, version: int,
                   now: datetime) -> None:
    # Versions only go up: an older event arriving late changes nothing.
    session.execute(
        insert_on_conflict(session, tables.versions)
        .values(user_id=user_id, permission_version=version, updated_at=now)
        .on_conflict_do_nothing()
    )
    session.execute(
        update(tables.versions)
        .where(tables.versions.c.user_id == user_id,
               tables.versions.c.permission_version < version)
        .values(permission_version=version, updated_at=now)
    )


class ProjectedTokenState:
    """The token state a service projected from identity's events into its own database."""

    def __init__(self, tables: TokenStateTables, engine: Engine) -> None:
        self.tables, self.engine = tables, engine
        # One statement needs no transaction of its own: on PostgreSQL, reading in autocommit
        # spares a BEGIN and a ROLLBACK round trip per request. On SQLite it reads in a
        # deferred transaction, not behind the write lock that every other transaction of the
        # local engine takes first (a relay's or a download's commit would hold it up).
        self._reader = (engine.execution_options(isolation_level="AUTOCOMMIT")
                        if engine.dialect.name == "postgresql"
                        else engine.execution_options(**{READS_ONLY: True}))

    def refusal(self, principal: Principal) -> str | None:
        versions, ended = self.tables.versions, self.tables.ended_sessions
        # Both facts in one statement: this runs on every request, and a round trip to the
        # database costs more than either lookup.
        current = (select(versions.c.permission_version)
                   .where(versions.c.user_id == principal.user_id).scalar_subquery())
        session_ended = exists().where(ended.c.session_id == (principal.session_id or ""))
        with self._reader.connect() as conn:
            version, is_ended = conn.execute(select(current, session_ended)).one()
        if version is not None and version > principal.permission_version:
            return TOKEN_OUTDATED
        if principal.session_id and is_ended:
            return SESSION_ENDED
        return None


def token_state_handler(tables: TokenStateTables) -> Callable[[UnitOfWork, Event], None]:
    """The consumer handler that keeps a service's token state."""

    def keep_token_state(uow: UnitOfWork, event: Event) -> None:
        record_token_state(tables, uow.session, event)

    return keep_token_state


def create_token_state_tables_v1(op: Operations) -> None:
    """The tables as first migrated, for each service's Alembic revision (``op``): frozen, so
    that a later change to the tables comes as a new revision, never as a change here."""
    import sqlalchemy as sa

    op.create_table(
        "token_versions",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("permission_version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "ended_sessions",
        sa.Column("session_id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=False),
    )


def drop_token_state_tables_v1(op: Operations) -> None:
    op.drop_table("ended_sessions")
    op.drop_table("token_versions")
