"""The raw baseline: plain kombu publishing to a durable queue, and a consumer acking by hand.

It moves the same number of messages of the same size as the pipeline, with the same
guarantees on the broker side (persistent messages, a durable queue, manual acks, optionally
publisher confirms), but with no database on either side. The consumer runs in its own
process, like the pipeline's.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass

from kombu import Connection, Consumer, Producer, Queue

READY_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class BaselineResult:
    confirms: bool
    publish_seconds: float  # first publish to last publish returned
    total_seconds: float  # first publish to last ack
    events: int

    @property
    def events_per_second(self) -> float:
        return self.events / self.total_seconds

    @property
    def publish_per_second(self) -> float:
        return self.events / self.publish_seconds


def _consume(url: str, queue_name: str, count: int, prefetch: int, report) -> None:  # noqa: ANN001
    """Child process: ack ``count`` messages one by one, then report the last ack's time."""
    with Connection(url) as conn:
        channel = conn.channel()
        seen = 0

        def on_message(message) -> None:  # noqa: ANN001
            nonlocal seen
            message.ack()
            seen += 1

        queue = Queue(queue_name, durable=True)
        with Consumer(channel, queues=[queue], on_message=on_message, prefetch_count=prefetch):
            report.put("ready")
            while seen < count:
                conn.drain_events(timeout=60)
        report.put(time.time())


def run_baseline(
    url: str, count: int, body_size: int, *, confirms: bool, prefetch: int
) -> BaselineResult:
    """Publish ``count`` persistent messages of ``body_size`` bytes; time until all are acked."""
    queue_name = f"bench.baseline.{'confirm' if confirms else 'noconfirm'}"
    queue = Queue(queue_name, durable=True)
    body = "x" * body_size
    with Connection(url, transport_options={"confirm_publish": confirms}) as conn:
        channel = conn.channel()
        queue(channel).declare()
        queue(channel).purge()
        ctx = multiprocessing.get_context("spawn")
        report = ctx.Queue()
        child = ctx.Process(target=_consume, args=(url, queue_name, count, prefetch, report))
        child.start()
        try:
            if report.get(timeout=READY_TIMEOUT_SECONDS) != "ready":
                raise RuntimeError("baseline consumer did not start")
            producer = Producer(channel)
            started = time.time()
            for _ in range(count):
                producer.publish(
                    body,
                    exchange="",
                    routing_key=queue_name,
                    delivery_mode=2,
                    content_type="application/json",
                    content_encoding="utf-8",
                    retry=False,
                )
            published = time.time()
            last_ack = report.get(timeout=max(120, count / 100))
        finally:
            child.join(timeout=10)
            if child.is_alive():
                child.terminate()
                child.join()
        queue(channel).delete()
    return BaselineResult(
        confirms=confirms,
        publish_seconds=published - started,
        total_seconds=last_ack - started,
        events=count,
    )
