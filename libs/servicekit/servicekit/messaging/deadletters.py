"""Operator tools for ``<queue>.dead``: look at what failed, and send it back when fixed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kombu import Connection, Producer
from kombu.message import Message

from servicekit.messaging.bus import dead_letter_name, dead_letter_queue


@dataclass(frozen=True)
class DeadLetter:
    queue: str
    reason: str
    error: str
    attempts: int
    failed_at: str
    routing_key: str
    body: bytes


def _read(connection: Connection, queue_name: str, quorum: bool, limit: int) -> Iterator[Any]:
    channel = connection.channel()
    dead = dead_letter_queue(queue_name, quorum)(channel)
    dead.declare()
    try:
        for _ in range(limit):
            message = dead.get(no_ack=False)
            if message is None:
                return
            yield message
    finally:
        channel.close()


def _describe(queue_name: str, message: Any) -> DeadLetter:
    headers = message.headers or {}
    return DeadLetter(
        queue=dead_letter_name(queue_name),
        reason=str(headers.get("x-dead-reason", "rejected by the broker")),
        error=str(headers.get("x-error", "")),
        attempts=int(headers.get("x-attempts", 0) or 0),
        failed_at=str(headers.get("x-failed-at", "")),
        routing_key=str(headers.get("x-original-routing-key", "")),
        body=message.body if isinstance(message.body, bytes) else str(message.body).encode(),
    )


def list_dead_letters(
    connection: Connection, queue_name: str, *, quorum: bool = False, limit: int = 100
) -> list[DeadLetter]:
    """Up to ``limit`` dead letters of ``queue_name``, left in place."""
    # Messages fetched without an ack go back to the queue when the channel closes.
    return [_describe(queue_name, m) for m in _read(connection, queue_name, quorum, limit)]


def replay_dead_letters(
    connection: Connection, queue_name: str, *, quorum: bool = False, limit: int = 1000
) -> int:
    """Move up to ``limit`` dead letters back onto ``queue_name``; return how many moved."""
    moved = 0
    for message in _read(connection, queue_name, quorum, limit):
        headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-")}
        Producer(message.channel).publish(
            message.body,
            exchange="",
            routing_key=queue_name,
            headers=headers,
            content_type=message.content_type,
            content_encoding=message.content_encoding,
            delivery_mode=2,
            retry=False,
        )
        message.ack()
        moved += 1
    return moved


class DeadLetterPublisher:
    """Puts what a consumer could not handle on ``<queue>.dead``, with why, confirmed.

    It publishes on a connection of its own: waiting for a publisher confirm on the consuming
    connection would dispatch further deliveries re-entrantly.
    """

    def __init__(self, connection: Connection, queue_name: str) -> None:
        self._source = connection
        self._queue_name = queue_name
        self._connection: Connection | None = None

    def publish(self, message: Message, reason: str, error: str, attempts: int) -> None:
        headers = dict(message.headers or {})
        headers.update({
            "x-dead-reason": reason,
            "x-error": error[:500],
            "x-attempts": attempts,
            "x-failed-at": datetime.now(UTC).isoformat(),
            "x-original-queue": self._queue_name,
            "x-original-routing-key": message.delivery_info.get("routing_key", ""),
        })
        if self._connection is None:
            self._connection = self._source.clone()
        try:
            Producer(self._connection.default_channel).publish(
                message.body,
                exchange="",
                routing_key=dead_letter_name(self._queue_name),
                headers=headers,
                content_type=message.content_type or "application/octet-stream",
                content_encoding=message.content_encoding or "binary",
                delivery_mode=2,
                retry=False,
            )
        except Exception:
            self.close()  # without a confirmed dead letter the original stays unacked
            raise

    def close(self) -> None:
        if self._connection is not None:
            self._connection.release()
            self._connection = None
