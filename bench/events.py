"""Event backbone benchmark: identity outbox -> relay -> RabbitMQ -> audit, against raw kombu.

    /tmp/venv/bin/python bench/events.py [--quick | --events N] [--batch 100] [--save]

Runs on this machine's PostgreSQL and RabbitMQ inside throwaway databases and a throwaway
vhost (see sandbox.py). Exits 0 whether or not the target ratio is met; 1 if something broke.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from pathlib import Path

from baseline import run_baseline
from pipeline import EVENT_KINDS, run_pipeline
from report import print_profiles, print_report, save
from sandbox import sandbox

from audit.spec import SPEC as AUDIT
from servicekit.messaging.envelope import Actor, encode_event


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="how many events (20,000)")
    parser.add_argument("--quick", action="store_true", help="2,000 events, for a fast check")
    parser.add_argument("--batch", type=int, default=100, help="events per outbox transaction")
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="pace the producer at this many events/s (default: flat out)",
    )
    parser.add_argument(
        "--kind", choices=sorted(EVENT_KINDS), default="access",
        help="access: identity.user.viewed (most traffic); staff: identity.user.created, "
        "which also runs audit's profile recognition",
    )
    parser.add_argument("--save", action="store_true", help="write bench/results/events-*.json")
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="DIR",
        help="run relay and consumer under cProfile, keep the .prof files here",
    )
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--amqp", default="amqp://guest:guest@127.0.0.1:5672")
    args = parser.parse_args(argv)
    if args.quick:
        args.events = 2_000
    return args


def body_size() -> int:
    """The byte size of one pipeline event, so the baseline moves messages just as big."""
    event = EVENT_KINDS["staff"](str(uuid.uuid4()), Actor(id="bench", kind="system"))
    return len(encode_event(event).encode())


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    size = body_size()
    prefetch = AUDIT.load_config().consumer_prefetch
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    try:
        with sandbox(args.postgres, args.amqp) as box, tempfile.TemporaryDirectory() as work:
            print(f"sandbox {box.name}: {args.events:,} events", flush=True)
            loads = {"before": os.getloadavg()}
            confirmed = run_baseline(
                box.bus_url, args.events, size, confirms=True, prefetch=prefetch
            )
            unconfirmed = run_baseline(
                box.bus_url, args.events, size, confirms=False, prefetch=prefetch
            )
            loads["after the baselines"] = os.getloadavg()
            pipe = run_pipeline(
                box, args.events, args.batch, Path(work), rate=args.rate, profile_dir=args.profile,
                kind=args.kind,
            )
            loads["after the pipeline"] = os.getloadavg()
    except Exception as exc:  # noqa: BLE001 - report what broke, exit 1
        print(f"benchmark failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    ratio = print_report(args, size, pipe, confirmed, unconfirmed, loads)
    if args.profile:
        print_profiles(args.profile)
    if args.save:
        print(f"saved {save(args, size, ratio, pipe, confirmed, unconfirmed, loads)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
