"""The commands every service has: migrate, relay, consume, dead-letters, unrouted."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable

import click

from servicekit.config import ServiceConfig
from servicekit.logs import configure_logging
from servicekit.messaging.bus import declare_subscriptions
from servicekit.messaging.deadletters import list_dead_letters, replay_dead_letters
from servicekit.messaging.unrouted import list_unrouted, replay_unrouted
from servicekit.metrics import name_process
from servicekit.migrations import upgrade
from servicekit.service import ServiceSpec
from servicekit.worker_status import serve_status_if_configured


def _on_shutdown(callback: Callable[[], None]) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: callback())


#: How long a consumer may take to declare its queue before the next one starts anyway.
DECLARE_WAIT_SECONDS = 30.0


def _run_together(loops: list[Callable[[], None]], stop: Callable[[], None],
                  ready: list[threading.Event] | None = None) -> None:
    """Run each loop in its own thread; when one ends (stopped or failed), stop them all.

    Each loop starts once the one before it says it is ``ready``: the filesystem bus keeps
    its bindings in a file that its process-wide lock does not guard between threads, so two
    consumers of one process must not declare their queues at the same moment.
    """
    if len(loops) == 1:
        loops[0]()
        return
    ended = threading.Event()

    def run(loop: Callable[[], None]) -> None:
        try:
            loop()
        finally:
            ended.set()

    threads = []
    for n, loop in enumerate(loops):
        thread = threading.Thread(target=run, args=(loop,), daemon=True)
        thread.start()
        threads.append(thread)
        if ready is not None and n < len(loops) - 1:
            ready[n].wait(DECLARE_WAIT_SECONDS)
    # The main thread waits, so that it is the one that receives the shutdown signals.
    while not ended.wait(0.5):
        pass
    stop()
    for thread in threads:
        thread.join(timeout=30)


def service_cli(spec: ServiceSpec[ServiceConfig]) -> click.Group:
    """A click group with the shared commands; the service adds its own to it."""
    name, runtime = spec.name, spec.runtime

    @click.group(name=name, help=f"The {name} service's operator commands.")
    def group() -> None:
        name_process(name)

    @group.command()
    def migrate() -> None:
        """Bring the database schema up to date and declare the service's queues on the bus."""
        config = spec.load_config()
        upgrade(spec.migrations_dir, config.database_url)
        click.echo(f"{name}: database is at the latest migration")
        # Before any relay publishes: an event routed while no queue is bound would be lost
        # to a consumer that starts later.
        declared = declare_subscriptions(config, spec.subscriptions)
        if declared:
            click.echo(f"{name}: queues declared on the bus: {', '.join(declared)}")

    @group.command()
    @click.option("--once", is_flag=True, help="Publish what is waiting, then exit.")
    def relay(once: bool) -> None:
        """Publish committed events from the outbox to the bus."""
        rt = runtime()
        configure_logging(f"{name}-relay", rt.config.log_level)
        outbox_relay = rt.relay()
        if once:
            total = outbox_relay.relay_pending()
            click.echo(f"{name}: relayed {total} events")
            return
        serve_status_if_configured(rt)
        stop = threading.Event()
        _on_shutdown(stop.set)
        outbox_relay.run(stop)

    @group.command()
    @click.option("--queue", "queue_name", default=None,
                  help="Run only this subscription (default: all of them, one thread each).")
    def consume(queue_name: str | None) -> None:
        """Consume events for this service's subscriptions."""
        subs = {s.queue: s for s in spec.subscriptions}
        if not subs:
            raise click.ClickException(f"{name} has no event subscriptions")
        if queue_name is not None and queue_name not in subs:
            raise click.ClickException(f"no subscription {queue_name}: {', '.join(subs)}")
        chosen = [subs[queue_name]] if queue_name else list(subs.values())
        rt = runtime()
        configure_logging(f"{name}-consumer", rt.config.log_level)
        serve_status_if_configured(rt)
        consumers = [rt.consumer(sub) for sub in chosen]

        def stop() -> None:
            for consumer in consumers:
                consumer.should_stop = True

        _on_shutdown(stop)
        _run_together([consumer.run for consumer in consumers], stop,
                      [consumer.ready for consumer in consumers])

    @group.group(name="dead-letters")
    def dead_letters() -> None:
        """Inspect and replay events that a consumer could not handle."""

    @dead_letters.command(name="list")
    @click.argument("queue")
    @click.option("--limit", default=100, show_default=True)
    def list_(queue: str, limit: int) -> None:
        rt = runtime()
        with rt.connection() as conn:
            for letter in list_dead_letters(
                conn, queue, quorum=rt.config.bus_quorum_queues, limit=limit
            ):
                click.echo(json.dumps({
                    "queue": letter.queue, "reason": letter.reason, "error": letter.error,
                    "attempts": letter.attempts, "failed_at": letter.failed_at,
                    "routing_key": letter.routing_key,
                    "body": letter.body.decode("utf-8", "replace")[:2000],
                }))

    @dead_letters.command()
    @click.argument("queue")
    @click.option("--limit", default=1000, show_default=True)
    def replay(queue: str, limit: int) -> None:
        rt = runtime()
        with rt.connection() as conn:
            moved = replay_dead_letters(
                conn, queue, quorum=rt.config.bus_quorum_queues, limit=limit
            )
        click.echo(f"replayed {moved} dead letters onto {queue}")

    @group.group()
    def unrouted() -> None:
        """Inspect and replay events clinic.events could route to no queue (clinic.unrouted)."""

    @unrouted.command(name="list")
    @click.option("--limit", default=100, show_default=True)
    def list_unrouted_(limit: int) -> None:
        rt = runtime()
        with rt.connection() as conn:
            for event in list_unrouted(conn, quorum=rt.config.bus_quorum_queues, limit=limit):
                click.echo(json.dumps({
                    "routing_key": event.routing_key, "message_id": event.message_id,
                    "body": event.body.decode("utf-8", "replace")[:2000],
                }))

    @unrouted.command(name="replay")
    @click.option("--limit", default=1000, show_default=True)
    def replay_unrouted_(limit: int) -> None:
        """Publish each waiting event to clinic.events again (bind the missing queue first)."""
        rt = runtime()
        with rt.connection() as conn:
            replayed = replay_unrouted(conn, quorum=rt.config.bus_quorum_queues, limit=limit)
        click.echo(f"replayed {replayed} unrouted events onto clinic.events "
                   "(any still unroutable are back in clinic.unrouted)")

    return group
