"""Database engine and the unit of work every use case runs in."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import (
    Connection,
    CursorResult,
    DateTime,
    Dialect,
    Engine,
    Result,
    Table,
    TypeDecorator,
    create_engine,
    event,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

if TYPE_CHECKING:
    from servicekit.messaging.envelope import Event
    from servicekit.messaging.tables import MessagingTables


def make_engine(url: str, **kwargs: object) -> Engine:
    """An engine for PostgreSQL or SQLite (the local default)."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **kwargs)
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, **kwargs)


#: The execution option (True) of a SQLite connection that only reads: it takes no write lock.
READS_ONLY = "servicekit_reads_only"


def _sqlite_engine(url: str, **kwargs: object) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

    # Several local processes (API workers, relay, consumer) share one file. WAL lets readers
    # run beside a writer; BEGIN IMMEDIATE takes the write lock up front, so a transaction
    # never fails half-way when it upgrades from reading to writing.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit survives the
        # process being killed (what the fault tests do), only an operating-system crash or a
        # power cut may take the last ones back. That suits the local stack, whose SQLite is
        # for development; production runs PostgreSQL. FULL cost an fsync per request that
        # writes (every recorded download or view), several milliseconds on a busy disk.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    # A connection asked for with READS_ONLY begins deferred instead: a read that runs on every
    # request (the token state) then reads beside a writer rather than queueing for its lock.
    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        reads_only = conn.get_execution_options().get(READS_ONLY, False)
        conn.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")

    return engine


_INSERTS: dict[str, Callable[[Table], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_on_conflict(session: Session, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into ``table`` that takes ON CONFLICT clauses on the session's database."""
    return _INSERTS[session.get_bind().dialect.name](table)


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE changed; ``Session.execute`` types its answer as a plain
    ``Result``, though for those statements it is always a ``CursorResult``."""
    return cast(CursorResult[Any], result).rowcount


#: Run with the session right before any unit of work of this context commits: a request that
#: holds an idempotency key marks it in the transaction of its work (servicekit.idempotency).
before_commit: ContextVar[tuple[Callable[[Session], None], ...]] = ContextVar(
    "before_commit", default=())


class UnitOfWork:
    """One database transaction: ``with uow: ...; uow.commit()``; rolls back otherwise.

    Events published inside it go to the outbox table in the same transaction, so a change
    and its events are committed together or not at all.
    """

    def __init__(self, session_factory: sessionmaker[Session], messaging: MessagingTables):
        self._session_factory = session_factory
        self._messaging = messaging
        self.session: Session

    def another(self) -> UnitOfWork:
        """A unit of work on the same database, for another thread (one is not shared)."""
        return UnitOfWork(self._session_factory, self._messaging)

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.session.rollback()
        self.session.close()

    def publish(self, event: Event) -> None:
        """Queue ``event`` for publishing once this unit of work commits."""
        self._messaging.add_to_outbox(self.session, event)

    def publish_all(self, events: list[Event]) -> None:
        """Queue several events with one INSERT, in their order (an executemany)."""
        self._messaging.add_all_to_outbox(self.session, events)

    def commit(self) -> None:
        for hook in before_commit.get():
            hook(self.session)
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored and returned in UTC, also on SQLite (which keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
