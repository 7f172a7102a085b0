"""Consuming events: ack after commit, an inbox against redelivery, retries, dead letters."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from kombu import Connection, Producer
from kombu.message import Message
from kombu.mixins import ConsumerMixin
from sqlalchemy.exc import IntegrityError

from servicekit.db import UnitOfWork
from servicekit.messaging.bus import dead_letter_name, declare_consumer_topology
from servicekit.messaging.envelope import Event, InvalidEnvelope, decode_event
from servicekit.messaging.tables import MessagingTables

log = logging.getLogger("servicekit.consumer")

Handler = Callable[[UnitOfWork, Event], None]


@dataclass(frozen=True)
class Subscription:
    """A durable queue ``queue`` bound to ``bindings``, whose events go to ``handler``."""

    queue: str
    bindings: tuple[str, ...]
    handler: Handler


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_seconds: float = 0.2

    def delay(self, attempt: int) -> float:
        return min(10.0, self.backoff_seconds * 2 ** (attempt - 1))


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
        quorum: bool = False,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.connection = connection
        self.subscription = subscription
        self._uow_factory = uow_factory
        self._tables = tables
        self._prefetch = prefetch
        self._quorum = quorum
        self._retry = retry or RetryPolicy()
        self.handled = 0
        self.dead_lettered = 0
        self.ready = threading.Event()  # set once the queue is declared and consuming
        self._publisher: Connection | None = None

    def on_consume_ready(self, connection, channel, consumers, **kwargs):  # type: ignore[no-untyped-def]
        self.ready.set()

    def on_consume_end(self, connection, channel):  # type: ignore[no-untyped-def]
        if self._publisher is not None:
            self._publisher.release()
            self._publisher = None

    def _dead_letter_producer(self) -> Producer:
        # Dead letters go out on a connection of their own: waiting for a publisher confirm on
        # the consuming connection would dispatch further deliveries re-entrantly.
        if self._publisher is None:
            self._publisher = self.connection.clone()
        return Producer(self._publisher.default_channel)

    def on_connection_error(self, exc, interval):  # type: ignore[no-untyped-def]
        self.ready.clear()
        log.warning("bus connection lost; reconnecting",
                    extra={"error": type(exc).__name__, "retry_in_seconds": interval})

    def get_consumers(self, Consumer, channel):  # type: ignore[no-untyped-def]  # noqa: N803
        sub = self.subscription
        queue, _ = declare_consumer_topology(channel, sub.queue, sub.bindings, self._quorum)
        consumer = Consumer(
            queues=[queue], on_message=self.on_message, prefetch_count=self._prefetch
        )
        return [consumer]

    def on_message(self, message: Message) -> None:
        try:
            event = decode_event(message.body)
        except InvalidEnvelope as exc:
            self._dead_letter(message, "undecodable", str(exc), attempts=0)
            return
        error: Exception | None = None
        for attempt in range(1, self._retry.max_attempts + 1):
            try:
                self._handle_once(event)
            except Exception as exc:  # noqa: BLE001 - any handler failure is retried
                error = exc
                log.warning(
                    "event handler failed",
                    extra={"queue": self.subscription.queue, "event_id": event.id,
                           "event_type": event.type, "attempt": attempt,
                           "error": type(exc).__name__},
                )
                if attempt < self._retry.max_attempts and not self.should_stop:
                    time.sleep(self._retry.delay(attempt))
                    continue
                break
            else:
                message.ack()
                self.handled += 1
                return
        if self.should_stop and error is not None and attempt < self._retry.max_attempts:
            message.requeue()  # shutting down: let another replica try it
            return
        self._dead_letter(message, "handler_failed", f"{type(error).__name__}: {error}",
                          attempts=attempt)

    def _handle_once(self, event: Event) -> None:
        consumer_name = self.subscription.queue
        with self._uow_factory() as uow:
            if not self._tables.mark_processed(uow.session, consumer_name, event.id):
                return  # a redelivery: it had its effect already
            self.subscription.handler(uow, event)
            try:
                uow.commit()
            except IntegrityError:
                # Another replica committed the same event first (the inbox key collided).
                uow.rollback()
                if self._already_processed(event.id):
                    return
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
        """Publish the original body to ``<queue>.dead`` (confirmed), then ack the original."""
        queue_name = self.subscription.queue
        headers = dict(message.headers or {})
        headers.update({
            "x-dead-reason": reason,
            "x-error": error[:500],
            "x-attempts": attempts,
            "x-failed-at": datetime.now(UTC).isoformat(),
            "x-original-queue": queue_name,
            "x-original-routing-key": message.delivery_info.get("routing_key", ""),
        })
        try:
            self._publish_dead_letter(message, queue_name, headers)
        except Exception:
            # Without a confirmed dead letter the original is not acked: the broker keeps it.
            if self._publisher is not None:
                self._publisher.release()
                self._publisher = None
            raise
        message.ack()
        self.dead_lettered += 1
        log.error("event dead-lettered",
                  extra={"queue": queue_name, "reason": reason, "attempts": attempts})

    def _publish_dead_letter(self, message: Message, queue_name: str, headers: dict) -> None:
        self._dead_letter_producer().publish(
            message.body,
            exchange="",
            routing_key=dead_letter_name(queue_name),
            headers=headers,
            content_type=message.content_type or "application/octet-stream",
            content_encoding=message.content_encoding or "binary",
            delivery_mode=2,
            retry=False,
        )
