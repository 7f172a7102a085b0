"""Everything a service process builds from its config: engine, units of work, bus, relay."""

from __future__ import annotations

from collections.abc import Callable

from kombu import Connection
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from servicekit.config import ServiceConfig
from servicekit.db import UnitOfWork, make_engine
from servicekit.mail_outbox import MailSeal, mail_seal_info
from servicekit.messaging.bus import connect
from servicekit.messaging.consumer import EventConsumer, RetryPolicy, Subscription
from servicekit.messaging.relay import OutboxRelay
from servicekit.messaging.tables import MessagingTables


class Runtime:
    def __init__(self, config: ServiceConfig, messaging: MessagingTables) -> None:
        self.config = config
        self.messaging = messaging
        self.engine = make_engine(config.database_url)
        # Every session of this process carries its mail seal (built from MAIL_OUTBOX_SECRET):
        # the mail outbox seals and opens texts with the key of the session in hand.
        seal = MailSeal(config.mail_outbox_secret) if config.mail_outbox_secret else None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False,
                                      info=mail_seal_info(seal))

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self._sessions, self.messaging)

    def connection(self) -> Connection:
        return connect(self.config)

    def relay(self) -> OutboxRelay:
        return OutboxRelay(
            self.engine,
            self.messaging,
            lambda: connect(self.config, confirm_each_publish=False),
            batch_size=self.config.relay_batch_size,
            poll_seconds=self.config.relay_poll_seconds,
            service=self.config.service,
            quorum=self.config.bus_quorum_queues,
        )

    def consumer(self, subscription: Subscription) -> EventConsumer:
        return EventConsumer(
            self.connection(),
            subscription,
            self.uow,
            self.messaging,
            prefetch=self.config.consumer_prefetch,
            batch_size=self.config.consumer_batch_size,
            quorum=self.config.bus_quorum_queues,
            retry=RetryPolicy(
                max_attempts=self.config.consumer_max_attempts,
                backoff_seconds=self.config.consumer_retry_backoff_seconds,
            ),
            service=self.config.service,
        )

    # Readiness checks: each raises when its dependency cannot be reached.
    def check_database(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def check_bus(self) -> None:
        with self.connection() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)

    def worker_readiness_checks(self) -> dict[str, Callable[[], None]]:
        """What a relay or consumer needs to work: its database and the broker."""
        return {"database": self.check_database, "bus": self.check_bus}

    def close(self) -> None:
        self.engine.dispose()
