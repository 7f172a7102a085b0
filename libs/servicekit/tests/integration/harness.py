"""A throwaway service for testing the backbone: one table the handler writes its effects to."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from servicekit.config import ServiceConfig, load_config
from servicekit.db import UnitOfWork
from servicekit.messaging.consumer import EventConsumer, Subscription
from servicekit.messaging.envelope import Event, Subject, new_event
from servicekit.messaging.tables import messaging_tables
from servicekit.runtime import Runtime

metadata = MetaData()
messaging = messaging_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("n", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),  # not unique: duplicates must show
)


def record_effect(uow: UnitOfWork, event: Event) -> None:
    uow.session.execute(effects.insert().values(event_id=event.id))


def make_config(tmp_path: Path, database_url: str, bus_url: str, **overrides) -> ServiceConfig:
    return load_config(
        ServiceConfig, "kit", environ={}, local_dir=tmp_path, database_url=database_url,
        bus_url=bus_url, consumer_retry_backoff_seconds=0.01, relay_poll_seconds=0.02,
        **overrides,
    )


def make_runtime(config: ServiceConfig) -> Runtime:
    runtime = Runtime(config, messaging)
    metadata.create_all(runtime.engine)
    return runtime


def publish_events(runtime: Runtime, count: int, org_id: str | None = None) -> list[str]:
    ids = []
    with runtime.uow() as uow:
        for _ in range(count):
            event = new_event("kit.thing.created", subject=Subject("thing", str(uuid.uuid4())),
                              org_id=org_id or str(uuid.uuid4()), data={"n": len(ids)})
            uow.publish(event)
            ids.append(event.id)
        uow.commit()
    return ids


def effect_ids(runtime: Runtime) -> list[str]:
    with runtime.engine.connect() as conn:
        return list(conn.execute(select(effects.c.event_id)).scalars())


def unsent(runtime: Runtime) -> int:
    outbox = messaging.outbox
    with runtime.engine.connect() as conn:
        return conn.execute(
            select(func.count()).where(outbox.c.sent_at.is_(None))
        ).scalar_one()


@dataclass
class RunningConsumer:
    consumer: EventConsumer
    thread: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self.consumer.run, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.consumer.should_stop = True
        self.thread.join(timeout=15)


def start_consumer(runtime: Runtime, queue: str, handler=record_effect,
                   prepare=None) -> RunningConsumer:
    sub = Subscription(queue=queue, bindings=("kit.#",), handler=handler, prepare=prepare)
    return RunningConsumer(runtime.consumer(sub))


@dataclass
class RunningRelay:
    runtime: Runtime
    stop_event: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        relay = self.runtime.relay()
        self.thread = threading.Thread(target=relay.run, args=(self.stop_event,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=15)
