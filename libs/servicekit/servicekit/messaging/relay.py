"""The outbox relay: publishes committed events with publisher confirms, then marks them sent.

Safe to run as several replicas on PostgreSQL: each batch is claimed with
``FOR UPDATE SKIP LOCKED``, so two relays never hold the same rows. A crash after publishing
and before marking leaves the rows unsent; they are published again and the consumers' inbox
absorbs the duplicate.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kombu import Connection, Producer
from sqlalchemy import Engine, delete, func, select, update

from servicekit.messaging.bus import declare_events_exchange, events_exchange
from servicekit.messaging.confirms import BatchConfirms
from servicekit.messaging.tables import MessagingTables
from servicekit.messaging.unrouted import observe_unrouted
from servicekit.metrics import outbox_events_published, outbox_oldest_unsent_age, process_service

log = logging.getLogger("servicekit.relay")

SENT_ROWS_KEPT = timedelta(days=7)
UNROUTED_CHECK_EVERY = timedelta(seconds=15)
# While batches keep coming, the lag gauge is read at most this often (it costs a query).
LAG_OBSERVED_EVERY = timedelta(seconds=1)


@dataclass
class Publisher:
    producer: Producer
    confirms: BatchConfirms | None  # None on the filesystem transport, which has no confirms

    def publish(self, payload: str, event_type: str, event_id: str) -> None:
        self.producer.publish(
            payload,
            exchange=self.producer.exchange,
            routing_key=event_type,
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=2,
            message_id=event_id,
            retry=False,
        )
        if self.confirms is not None:
            self.confirms.published()

    def wait_for_confirms(self) -> None:
        if self.confirms is not None:
            self.confirms.wait()


class OutboxRelay:
    def __init__(
        self,
        engine: Engine,
        tables: MessagingTables,
        connect: Callable[[], Connection],
        *,
        batch_size: int = 200,
        poll_seconds: float = 0.2,
        max_backoff_seconds: float = 30.0,
        service: str | None = None,
        quorum: bool = False,
    ) -> None:
        self._engine = engine
        self.service = service or process_service()
        self._outbox = tables.outbox
        self._connect = connect
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.quorum = quorum

    @staticmethod
    def producer(connection: Connection, quorum: bool = False) -> Publisher:
        """A publisher on a new channel, with the exchange (and clinic.unrouted) declared."""
        channel = connection.channel()
        declare_events_exchange(channel, quorum)
        has_confirms = connection.transport.driver_type == "amqp"
        confirms = BatchConfirms(channel) if has_confirms else None
        return Publisher(Producer(channel, exchange=events_exchange()), confirms)

    def connection(self) -> Connection:
        """A new connection to the bus, set up for publishing with batch confirms."""
        return self._connect()

    def relay_pending(self) -> int:
        """Publish every unsent event now; return how many."""
        with self.connection() as connection:
            publisher, total = self.producer(connection, self.quorum), 0
            while sent := self.relay_batch(publisher):
                total += sent
        return total

    def relay_batch(self, publisher: Publisher) -> int:
        """Publish one batch of unsent events; return how many were sent."""
        outbox = self._outbox
        with self._engine.begin() as conn:
            rows = conn.execute(
                select(outbox.c.id, outbox.c.event_id, outbox.c.event_type, outbox.c.payload)
                .where(outbox.c.sent_at.is_(None))
                .order_by(outbox.c.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                publisher.publish(row.payload, row.event_type, row.event_id)
            publisher.wait_for_confirms()
            if rows:
                conn.execute(
                    update(outbox)
                    .where(outbox.c.id.in_([row.id for row in rows]))
                    .values(sent_at=datetime.now(UTC))
                )
        for event_type, count in Counter(row.event_type for row in rows).items():
            outbox_events_published.labels(self.service, event_type).inc(count)
        return len(rows)

    def observe_lag(self) -> float:
        """Set and return the age in seconds of the oldest unsent event (0 when none waits)."""
        outbox = self._outbox
        # The lowest unsent id is found on the partial index ix_outbox_unsent; ids follow
        # created_at closely enough for an alert measured in minutes.
        with self._engine.connect() as conn:
            created_at = conn.execute(
                select(outbox.c.created_at)
                .where(outbox.c.sent_at.is_(None))
                .order_by(outbox.c.id)
                .limit(1)
            ).scalar()
        age = 0.0 if created_at is None else (datetime.now(UTC) - created_at).total_seconds()
        age = max(age, 0.0)
        outbox_oldest_unsent_age.labels(self.service).set(age)
        return age

    def purge_sent(self, older_than: timedelta = SENT_ROWS_KEPT) -> int:
        cutoff = datetime.now(UTC) - older_than
        with self._engine.begin() as conn:
            result = conn.execute(
                delete(self._outbox).where(self._outbox.c.sent_at < cutoff)
            )
        return result.rowcount or 0

    def unsent_count(self) -> int:
        with self._engine.connect() as conn:
            return conn.execute(
                select(func.count()).where(self._outbox.c.sent_at.is_(None))
            ).scalar_one()

    def run(self, stop: threading.Event) -> None:
        """Relay until ``stop`` is set; survive broker and database outages with backoff."""
        failures = 0
        while not stop.is_set():
            try:
                with self._connect() as connection:
                    connection.ensure_connection(max_retries=1)
                    publisher = self.producer(connection, self.quorum)
                    failures = 0
                    log.info("relay connected", extra={"transport": connection.transport_cls})
                    self._drain(publisher, stop, connection)
            # Any failure (broker gone, database gone, a nack) leaves the batch unsent: it is
            # rolled back and tried again after the pause.
            except Exception as exc:  # noqa: BLE001
                failures += 1
                delay = min(self.max_backoff_seconds, 0.5 * 2 ** min(failures, 10))
                log.warning(
                    "relay paused; will retry",
                    extra={"error": type(exc).__name__, "retry_in_seconds": delay},
                )
                # The lag grows most while the bus is away; if the database is away too,
                # the gauge keeps its last value and the warning above says why.
                with contextlib.suppress(Exception):
                    self.observe_lag()
                stop.wait(delay)

    def _observe_unrouted(self) -> None:
        # On a connection of its own: a probe that upsets the broker must never reset the
        # publishing connection with a batch in flight; a failed probe leaves the gauge as is.
        with contextlib.suppress(Exception), self._connect() as probe:
            observe_unrouted(probe, self.service)

    def _drain(self, publisher: Publisher, stop: threading.Event, connection: Connection) -> None:
        last_unrouted_check = last_lag = datetime.min.replace(tzinfo=UTC)
        last_purge = datetime.now(UTC)
        while not stop.is_set():
            sent = self.relay_batch(publisher)
            if not sent or datetime.now(UTC) - last_lag > LAG_OBSERVED_EVERY:
                self.observe_lag()
                last_lag = datetime.now(UTC)
            if datetime.now(UTC) - last_unrouted_check > UNROUTED_CHECK_EVERY:
                self._observe_unrouted()
                last_unrouted_check = datetime.now(UTC)
            if sent:
                log.debug("relayed events", extra={"count": sent})
                continue
            if datetime.now(UTC) - last_purge > timedelta(hours=1):
                self.purge_sent()
                last_purge = datetime.now(UTC)
            stop.wait(self.poll_seconds)
