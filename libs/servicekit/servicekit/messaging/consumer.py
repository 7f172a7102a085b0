"""Consuming events: ack after commit, an inbox against redelivery, retries, dead letters.

Deliveries that arrive together are handled in one unit of work with one commit (up to
``batch_size``) and acknowledged with one ``multiple`` ack after it, which is what lets a
consumer keep up with the relay. If anything in a batch fails, the batch is rolled back and its
events are handled one at a time, so retries and dead letters only ever concern the event that
failed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kombu import Connection, Consumer
from kombu.message import Message
from kombu.mixins import ConsumerMixin
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from servicekit.db import UnitOfWork
from servicekit.messaging.bus import declare_consumer_topology
from servicekit.messaging.contracts import ContractBook, OffContract, default_book
from servicekit.messaging.deadletters import DeadLetterPublisher
from servicekit.messaging.envelope import Event, InvalidEnvelope, decode_event
from servicekit.messaging.tables import MessagingTables
from servicekit.metrics import (
    consumer_dead_letters,
    consumer_event_lag,
    consumer_events_handled,
    consumer_handler_failures,
    process_service,
)

log = logging.getLogger("servicekit.consumer")

Handler = Callable[[UnitOfWork, Event], None]
BatchPreparer = Callable[[UnitOfWork, list[Event]], None]
BatchHandler = Callable[[UnitOfWork, list[Event]], None]

# While the consumer's own database is down, an event waits (at most this long between tries)
# instead of using up its retries: the outage is not the event's fault.
DATABASE_WAIT_MAX_SECONDS = 5.0


def is_database_unavailable(exc: BaseException) -> bool:
    """A connection-level database error (server down, connection lost), not a bad event."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError) and _looks_like_connection_failure(exc)


def _looks_like_connection_failure(exc: OperationalError) -> bool:
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return any(sign in text for sign in (
        "connection", "could not connect", "server closed", "terminating", "shutting down",
        "unable to open database", "the database system is"))


# How long to wait for a further delivery before handling the ones already in hand.
BATCH_LINGER_SECONDS = 0.005


@dataclass(frozen=True)
class Subscription:
    """A durable queue ``queue`` bound to ``bindings``, whose events go to ``handler``.

    ``prepare``, if given, sees all the events of a batch first, in the batch's transaction
    (a handler that locks rows can take every lock up front, in one order, so that two
    replicas never wait on each other in a circle).

    ``batch_handler``, if given, takes the place of ``handler``: it gets the batch's new events
    (in delivery order, already deduplicated by the inbox) at once, so that it can write them
    with one statement instead of one per event.

    ``wants``, if given, tells the events the handler has anything to do with; the others are
    acknowledged without a transaction or an inbox row (the same event is skipped again if
    redelivered), so a subscription bound to many events pays only for those it uses.
    """

    queue: str
    bindings: tuple[str, ...]
    handler: Handler
    prepare: BatchPreparer | None = None
    batch_handler: BatchHandler | None = None
    wants: Callable[[Event], bool] | None = None


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_seconds: float = 0.2

    def delay(self, attempt: int) -> float:
        return min(10.0, self.backoff_seconds * 2.0 ** (attempt - 1))


class EventConsumer(ConsumerMixin):
    """Runs one subscription until ``should_stop`` is set (by a signal or a test)."""

    def __init__(
        self,
        connection: Connection,
        subscription: Subscription,
        uow_factory: Callable[[], UnitOfWork],
        tables: MessagingTables,
        *,
        prefetch: int = 50,
        batch_size: int = 50,
        quorum: bool = False,
        retry: RetryPolicy | None = None,
        service: str | None = None,
        contracts: ContractBook | None = None,
    ) -> None:
        self.connection = connection
        # The producers' AsyncAPI documents: data they do not allow goes to <queue>.dead.
        self._contracts = default_book() if contracts is None else contracts
        self.subscription = subscription
        self._connection: Connection | None = None  # the live one, while consuming
        self._uow_factory = uow_factory
        self._tables = tables
        self._prefetch = prefetch
        self._batch_size = max(1, min(batch_size, prefetch))
        self._quorum = quorum
        self._retry = retry or RetryPolicy()
        self._dead_letters = DeadLetterPublisher(connection, subscription.queue)
        self._pending: list[tuple[Message, Event]] = []
        self.handled = 0
        self.dead_lettered = 0
        self.ready = threading.Event()  # set once the queue is declared and consuming
        self._labels = (service or process_service(), subscription.queue)
        self._handled_total = consumer_events_handled.labels(*self._labels)
        self._lag = consumer_event_lag.labels(*self._labels)
        self._failures = consumer_handler_failures.labels(*self._labels)
        # At 0 from the start, for increase().
        for reason in ("handler_failed", "undecodable", "off_contract"):
            consumer_dead_letters.labels(*self._labels, reason)

    def get_consumers(self, Consumer: Callable[..., Consumer],  # noqa: N803
                      channel: Any) -> list[Consumer]:
        sub = self.subscription
        queue, _ = declare_consumer_topology(channel, sub.queue, sub.bindings, self._quorum)
        return [Consumer(queues=[queue], on_message=self.on_message,
                         prefetch_count=self._prefetch)]

    def on_consume_ready(self, connection: Connection, channel: Any, consumers: list[Consumer],
                         **kwargs: Any) -> None:
        self._pending = []  # deliveries of a lost channel come back by themselves
        self.ready.set()

    def on_consume_end(self, connection: Connection, channel: Any) -> None:
        self._dead_letters.close()

    def on_connection_error(self, exc: Exception, interval: float) -> None:
        self.ready.clear()
        log.warning("bus connection lost; reconnecting",
                    extra={"error": type(exc).__name__, "retry_in_seconds": interval})

    def consume(self, limit: int | None = None, timeout: float | None = None,
                safety_interval: float = 1, **kwargs: Any) -> Iterator[None]:
        # ConsumerMixin.consume, except that a short lull hands the collected batch over.
        with self.consumer_context(**kwargs) as (conn, _channel, _consumers):
            self._connection = conn
            while not self.should_stop:
                linger = BATCH_LINGER_SECONDS if self._pending else safety_interval
                try:
                    conn.drain_events(timeout=linger)
                except TimeoutError:
                    if self._pending:
                        self._handle_pending()
                    else:
                        self._check_heartbeat(conn)
                except OSError:
                    if not self.should_stop:
                        raise
                else:
                    yield
            self._handle_pending()  # finish what is in hand before stopping

    @staticmethod
    def _check_heartbeat(conn: Connection) -> None:
        try:
            conn.heartbeat_check()
        except conn.connection_errors:
            # The broker went silent (a stalled network): drop the socket without a goodbye,
            # or closing the channel would wait forever on it; then reconnect.
            conn.collect()
            raise

    def on_message(self, message: Message) -> None:
        try:
            event = decode_event(message.body)
        except InvalidEnvelope as exc:
            self._dead_letter(message, "undecodable", str(exc), attempts=0)
            return
        try:
            self._contracts.check(event)
        except OffContract as exc:
            self._dead_letter(message, "off_contract", str(exc), attempts=0)
            return
        self._pending.append((message, event))
        if len(self._pending) >= self._batch_size:
            self._handle_pending()

    def _handle_pending(self) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            return
        if len(batch) > 1:
            try:
                self._handle_together([event for _, event in batch])
            except Exception:  # noqa: BLE001 - fall back to one at a time, below
                log.info("batch failed; handling its events one at a time",
                         extra={"queue": self.subscription.queue, "size": len(batch)})
            else:
                self._ack_batch([message for message, _ in batch])
                for _, event in batch:
                    self._count_handled(event)
                return
        for message, event in batch:
            self._handle_with_retries(message, event)

    def _ack_batch(self, messages: list[Message]) -> None:
        """Acknowledge a committed batch: with one ``multiple`` ack on RabbitMQ.

        Every earlier delivery of the channel is in the batch or already settled (one thread
        handles them in order), so the last tag covers exactly the batch. kombu's virtual
        transports (the local filesystem bus) ack one tag whatever ``multiple`` says.
        """
        if self.connection.transport.driver_type == "amqp":
            messages[-1].ack(multiple=True)
            return
        for message in messages:
            message.ack()

    def _handle_together(self, events: list[Event]) -> None:
        if self.subscription.wants is not None:
            events = [event for event in events if self.subscription.wants(event)]
            if not events:
                return
        with self._uow_factory() as uow:
            # Events already in the inbox were redelivered: they had their effect before.
            fresh = self._tables.mark_processed(
                uow.session, self.subscription.queue, [event.id for event in events]
            )
            new = []
            for event in events:
                if event.id in fresh:
                    fresh.discard(event.id)  # the same event twice in one batch counts once
                    new.append(event)
            sub = self.subscription
            if sub.prepare is not None:
                sub.prepare(uow, new)
            if sub.batch_handler is not None:
                sub.batch_handler(uow, new)
            else:
                for event in new:
                    sub.handler(uow, event)
            uow.commit()

    def _handle_with_retries(self, message: Message, event: Event) -> None:
        error: Exception | None = None
        attempt = 0
        outage = 0
        while attempt < self._retry.max_attempts:
            try:
                self._handle_once(event)
            except Exception as exc:  # noqa: BLE001 - any handler failure is retried
                error = exc
                self._failures.inc()
                database_down = is_database_unavailable(exc)
                if not database_down:
                    attempt += 1
                log.warning("event handler failed", extra={
                    "queue": self.subscription.queue, "event_id": event.id,
                    "event_type": event.type, "attempt": attempt, "error": type(exc).__name__,
                    "database_unavailable": database_down})
                if self.should_stop:
                    break
                if database_down:
                    # Not the event's fault: wait for the database as long as it takes.
                    outage += 1
                    self._pause(min(DATABASE_WAIT_MAX_SECONDS, self._retry.delay(outage)))
                    continue
                if attempt < self._retry.max_attempts:
                    self._pause(self._retry.delay(attempt))
            else:
                message.ack()
                self._count_handled(event)
                return
        if self.should_stop and attempt < self._retry.max_attempts:
            message.requeue()  # shutting down: let another replica try it
            return
        self._dead_letter(message, "handler_failed", f"{type(error).__name__}: {error}",
                          attempts=attempt)

    def _pause(self, seconds: float) -> None:
        """Sleep between attempts, keeping the broker's heartbeats going meanwhile."""
        deadline = time.monotonic() + seconds
        while not self.should_stop and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 1.0))
            if self._connection is not None:
                self._connection.heartbeat_check()

    def _count_handled(self, event: Event) -> None:
        self.handled += 1
        self._handled_total.inc()
        # Clocks of producer and consumer hosts differ a little: never a negative lag.
        lag = (datetime.now(UTC) - event.occurred_at).total_seconds()
        self._lag.observe(max(lag, 0.0))

    def _handle_once(self, event: Event) -> None:
        try:
            self._handle_together([event])
        except IntegrityError:
            # Another replica committed the same event first (the inbox key collided).
            if not self._already_processed(event.id):
                raise

    def _already_processed(self, event_id: str) -> bool:
        inbox = self._tables.inbox
        with self._uow_factory() as uow:
            row = uow.session.execute(
                inbox.select().where(
                    inbox.c.consumer == self.subscription.queue, inbox.c.event_id == event_id
                )
            ).first()
        return row is not None

    def _dead_letter(self, message: Message, reason: str, error: str, attempts: int) -> None:
        """Publish the original to ``<queue>.dead`` (confirmed), then ack the original."""
        self._dead_letters.publish(message, reason, error, attempts)
        message.ack()
        self.dead_lettered += 1
        consumer_dead_letters.labels(*self._labels, reason).inc()
        log.error("event dead-lettered", extra={
            "queue": self.subscription.queue, "reason": reason, "attempts": attempts})
