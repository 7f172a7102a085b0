"""Connections to the event bus and the shared topology.

The same code runs on RabbitMQ (``amqp://``) and on kombu's ``filesystem://`` transport, the
embedded local default; only the URL and the transport options differ.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Iterable
from typing import Any

from amqp.exceptions import NotFound
from kombu import Connection, Exchange, Queue, binding
from kombu.exceptions import ChannelError
from kombu.transport import filesystem, virtual
from kombu.utils.json import dumps

from servicekit.config import ServiceConfig

EXCHANGE_NAME = "clinic.events"
UNROUTED_NAME = "clinic.unrouted"

# Quorum queues hand a message back at most this many times before RabbitMQ dead-letters it:
# a handler that crashes its whole process cannot loop forever.
DELIVERY_LIMIT = 20


class AtomicFolderChannel(filesystem.Channel):
    """Writes each message under a temporary name and renames it into the queue folder.

    The stock channel creates the message file and then writes into it; a consumer in another
    process listing the folder in between moves away an empty file, fails to decode it and the
    message is lost. A rename within one folder is atomic: a reader sees all of it or nothing.
    """

    # kombu's own bases name the second argument differently (payload, message).
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        stamp = int(round(time.monotonic() * 1000))  # the stock name: readers sort by it
        final = os.path.join(self.data_folder_out, f"{stamp}_{uuid.uuid4()}.{queue}.msg")
        # A name without the ".<queue>.msg" ending: no reader takes it for a message.
        draft = os.path.join(self.data_folder_out, f".draft-{uuid.uuid4().hex}")
        try:
            with open(draft, "wb") as f:
                f.write(dumps(payload).encode())
            os.rename(draft, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class LocalFolderTransport(filesystem.Transport):
    """kombu's filesystem transport, with its bookkeeping per connection instead of per process.

    The stock transport shares one binding table across every connection in a process and skips
    a binding it has seen before, so a second bus folder used in the same process (tests, tools)
    would never get its bindings written. The folders themselves hold the shared state. Messages
    are written atomically (AtomicFolderChannel).
    """

    Channel = AtomicFolderChannel

    def __init__(self, client: Connection, **kwargs: object) -> None:
        super().__init__(client, **kwargs)  # type: ignore[no-untyped-call]  # kombu: unannotated
        self.state = virtual.BrokerState()


def events_exchange() -> Exchange:
    # RabbitMQ hands whatever no queue is bound for to the alternate exchange instead of
    # dropping it: an event relayed before its consumer's queue exists waits in clinic.unrouted.
    return Exchange(EXCHANGE_NAME, type="topic", durable=True,
                    arguments={"alternate-exchange": UNROUTED_NAME})


def unrouted_exchange() -> Exchange:
    return Exchange(UNROUTED_NAME, type="fanout", durable=True)


def unrouted_queue(quorum: bool) -> Queue:
    """The durable queue that keeps every event clinic.events could route nowhere."""
    args = {"x-queue-type": "quorum"} if quorum else {}
    return Queue(UNROUTED_NAME, exchange=unrouted_exchange(), routing_key="", durable=True,
                 queue_arguments=args)


def declare_events_exchange(channel: Any, quorum: bool) -> None:
    """Declare clinic.events and, on RabbitMQ, clinic.unrouted that catches what it cannot route.

    The filesystem bus has no alternate exchanges; locally nothing is lost because ``migrate``
    declares every queue before the relays start. A broker whose clinic.events predates the
    alternate exchange refuses this (PRECONDITION_FAILED): see docs/operations.md, "Unrouted
    events", for the one-time migration.
    """
    if not isinstance(channel, filesystem.Channel):
        unrouted_exchange()(channel).declare()
        if _exists(channel, UNROUTED_NAME):
            # Whatever its type: one queue serves every service, whether or not each one's
            # BUS_QUORUM_QUEUES matches the process that declared it first.
            channel.queue_bind(UNROUTED_NAME, UNROUTED_NAME, "")
        else:
            unrouted_queue(quorum)(channel).declare()
    events_exchange()(channel).declare()


def _exists(channel: Any, queue_name: str) -> bool:
    # On a channel of its own: a passive declare of a missing queue closes its channel.
    probe = channel.connection.channel()
    try:
        probe.queue_declare(queue=queue_name, passive=True)
        return True
    except NotFound:
        return False
    finally:
        with contextlib.suppress(Exception):
            probe.close()


FILESYSTEM_POLL_SECONDS = 0.1


def is_filesystem(url: str) -> bool:
    return url.startswith("filesystem:")


def connect(config: ServiceConfig, *, confirm_each_publish: bool = True) -> Connection:
    """A new (lazy) connection to the bus named in ``config``.

    Every publish on it waits for the broker's confirm, unless ``confirm_each_publish`` is off
    (the relay confirms whole batches itself).
    """
    if is_filesystem(config.bus_url):
        folders = {name: config.bus_dir / name for name in ("queue", "control", "processed")}
        for folder in folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        return Connection(
            "filesystem://",
            transport=LocalFolderTransport,
            transport_options={
                "data_folder_in": str(folders["queue"]),
                "data_folder_out": str(folders["queue"]),
                "control_folder": str(folders["control"]),
                "processed_folder": str(folders["processed"]),
                # kombu looks for new files once a second by default; a revocation must
                # reach every service well within a second (ARCHITECTURE.md).
                "polling_interval": FILESYSTEM_POLL_SECONDS,
            },
        )
    return Connection(
        config.bus_url,
        heartbeat=config.bus_heartbeat_seconds,
        connect_timeout=5,
        transport_options={"confirm_publish": confirm_each_publish},
    )


def dead_letter_name(queue_name: str) -> str:
    return f"{queue_name}.dead"


def _queue_arguments(queue_name: str, quorum: bool) -> dict[str, object]:
    args: dict[str, object] = {
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": dead_letter_name(queue_name),
    }
    if quorum:
        args.update({"x-queue-type": "quorum", "x-delivery-limit": DELIVERY_LIMIT})
    return args


def consumer_queue(name: str, binding_keys: tuple[str, ...], quorum: bool) -> Queue:
    """The durable queue ``name`` bound to ``clinic.events`` with each routing key pattern."""
    exchange = events_exchange()
    return Queue(
        name,
        bindings=[binding(exchange, routing_key=key) for key in binding_keys],
        durable=True,
        queue_arguments=_queue_arguments(name, quorum),
    )


def dead_letter_queue(queue_name: str, quorum: bool) -> Queue:
    """The queue that keeps what ``queue_name``'s consumer could not handle."""
    args = {"x-queue-type": "quorum"} if quorum else {}
    return Queue(dead_letter_name(queue_name), durable=True, queue_arguments=args)


def declare_consumer_topology(
    channel: Any, name: str, binding_keys: tuple[str, ...], quorum: bool
) -> tuple[Queue, Queue]:
    """Declare the exchange, the consumer's queue and its dead letters; return both queues."""
    declare_events_exchange(channel, quorum)
    queue = consumer_queue(name, binding_keys, quorum)(channel)
    queue.declare()
    dead = dead_letter_queue(name, quorum)(channel)
    dead.declare()
    return queue, dead


def declare_subscriptions(config: ServiceConfig, subscriptions: Iterable[Any]) -> list[str]:
    """Declare each subscription's queue, bindings and dead letters; the queue names."""
    subscriptions = list(subscriptions)
    with connect(config) as conn:
        channel = conn.channel()
        # Even a service without subscriptions: its relay's unroutable events need a place.
        declare_events_exchange(channel, config.bus_quorum_queues)
        for sub in subscriptions:
            declare_consumer_topology(channel, sub.queue, sub.bindings, config.bus_quorum_queues)
    return [sub.queue for sub in subscriptions]
