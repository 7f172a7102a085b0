"""Events that clinic.events could route to no queue: count them, look at them, send them again.

RabbitMQ moves such an event to the alternate exchange clinic.unrouted and its queue of the
same name (bus.declare_events_exchange) instead of dropping it. Once the missing queue exists
(a consumer was deployed, ``migrate`` ran), ``<svc> unrouted replay`` publishes each one to
clinic.events again with its routing key; one that is still unroutable comes back here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kombu import Connection, Producer

from servicekit.messaging.bus import (
    UNROUTED_NAME,
    declare_events_exchange,
    events_exchange,
    unrouted_queue,
)
from servicekit.metrics import bus_unrouted_messages


@dataclass(frozen=True)
class UnroutedEvent:
    routing_key: str
    message_id: str
    body: bytes


def unrouted_count(connection: Connection) -> int | None:
    """How many events wait in clinic.unrouted (None on the filesystem bus or without it)."""
    if connection.transport.driver_type != "amqp":
        return None
    channel = connection.channel()
    try:
        # Passive: counts without (re)declaring, so it works whatever the queue's arguments.
        _, count, _ = channel.queue_declare(queue=UNROUTED_NAME, passive=True)
        return int(count)
    except connection.channel_errors:
        return None  # a broker that predates clinic.unrouted (docs/operations.md)
    finally:
        with contextlib.suppress(Exception):
            channel.close()


def observe_unrouted(connection: Connection, service: str) -> None:
    """Set ``bus_unrouted_messages`` from the queue's depth (the relay calls this)."""
    count = unrouted_count(connection)
    if count is not None:
        bus_unrouted_messages.labels(service).set(count)


def _read(connection: Connection, quorum: bool, limit: int) -> Iterator[Any]:
    channel = connection.channel()
    declare_events_exchange(channel, quorum)
    queue = unrouted_queue(quorum)(channel)
    # Only what waits now: a replayed event that is still unroutable joins the tail and must
    # not be read again in the same pass.
    _, waiting, _ = channel.queue_declare(queue=UNROUTED_NAME, passive=True)
    try:
        for _ in range(min(limit, waiting)):
            message = queue.get(no_ack=False)
            if message is None:
                return
            yield message
    finally:
        channel.close()


def _describe(message: Any) -> UnroutedEvent:
    body = message.body if isinstance(message.body, bytes) else str(message.body).encode()
    return UnroutedEvent(
        routing_key=str(message.delivery_info.get("routing_key", "")),
        message_id=str(message.properties.get("message_id", "")),
        body=body,
    )


def list_unrouted(connection: Connection, *, quorum: bool = False,
                  limit: int = 100) -> list[UnroutedEvent]:
    """Up to ``limit`` unrouted events, left in place (unacked, they return on close)."""
    return [_describe(m) for m in _read(connection, quorum, limit)]


def replay_unrouted(connection: Connection, *, quorum: bool = False, limit: int = 1000) -> int:
    """Publish up to ``limit`` unrouted events to clinic.events again; return how many.

    ``connection`` must confirm each publish (bus.connect's default): an event is acked here
    only once the broker has taken its copy.
    """
    replayed = 0
    for message in _read(connection, quorum, limit):
        Producer(message.channel, exchange=events_exchange(), auto_declare=False).publish(
            message.body,
            routing_key=message.delivery_info.get("routing_key", ""),
            headers=dict(message.headers or {}),
            content_type=message.content_type or "application/json",
            content_encoding=message.content_encoding or "utf-8",
            message_id=message.properties.get("message_id"),
            delivery_mode=2,
            retry=False,
        )
        message.ack()
        replayed += 1
    return replayed
