"""CPU seconds per 1,000 patient views: the whole stack against a bare route, in one run.

    flock /tmp/stack.lock .venv/bin/python bench/cost.py            # 3 rounds of 1,000 views
    flock /tmp/stack.lock .venv/bin/python bench/cost.py --quick    # 1 round of 300

Starts the stack on PostgreSQL + RabbitMQ (bench/real_stack.py), makes a practice whose owner
registers patients, then drives patient views (GET /api/notes/patients/<id>) through the
gateway from a few client threads. What it counts is CPU, not time: user + system seconds of
every process of the stack (gateway nginx, the four APIs, relays, consumers, workers, the
object store and mail sink), of the PostgreSQL backends connected to the stack's databases,
and of the RabbitMQ node, from just before the first view until audit has stored the last
view's access event. CPU per request moves far less with what else the machine runs than
requests per second do.

The yardstick, in the same run and alternated with it: bench/bare_route.py, a Flask +
SQLAlchemy route reading one patient row from the same database, under the services' gunicorn
settings, behind a second nginx rendered from the same gateway template (its notes upstream
pointed at the bare route) and asked the same path by the same clients; its CPU is that
nginx's, that gunicorn's and its PostgreSQL backends'. Ratio = stack / bare, goal <= 3.

Exits 0 whatever the ratio; 1 if something broke (a view failed, events never reached audit).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cost_parts import (  # noqa: E402
    BareRoute,
    PostgresBackends,
    Practice,
    audit_size,
    audit_storage,
    drive,
    records_stored,
    stack_process_label,
    wait_stored,
)
from cpu_meter import CpuMeter, Group, named, tree  # noqa: E402
from mix_events import events_per_task, per_mix_task  # noqa: E402
from real_stack import GATEWAY, REPO, RealStack, real_stack  # noqa: E402

GOAL = 3.0
RABBITMQ_NODE = "-home /var/lib/rabbitmq"  # the machine's node, not a test's private one


def measure_bare(bare: BareRoute, practice: Practice, views: int, clients: int) -> dict:
    backends = PostgresBackends(application="bench-bare")
    try:
        with CpuMeter({"bare gateway (nginx)": lambda: tree(bare.nginx.pid),
                       "bare route (gunicorn)": lambda: tree(bare.gunicorn.pid),
                       "bare PostgreSQL backends": backends,
                       "RabbitMQ (context only)": lambda: named(RABBITMQ_NODE)}) as meter:
            failed = drive(bare.url, practice, views, clients)
    finally:
        backends.close()
    seconds = meter.seconds()
    context = seconds.pop("RabbitMQ (context only)")
    return {"cpu": sum(seconds.values()), "parts": seconds, "failed": failed,
            "wall": meter.wall_seconds, "rabbitmq_background": context}


def measure_stack(stack: RealStack, practice: Practice, audit: psycopg.Connection,
                  views: int, clients: int) -> dict:
    databases = [stack.database(name) for name in ("identity", "notes", "docportal", "audit")]
    backends = PostgresBackends(databases=databases, exclude={audit.info.backend_pid})
    before = records_stored(audit)
    processes = Group(lambda: tree(stack.process.pid), label=stack_process_label)
    try:
        with CpuMeter({"stack processes": processes, "stack PostgreSQL backends": backends,
                       "RabbitMQ node": lambda: named(RABBITMQ_NODE)}) as meter:
            failed = drive(GATEWAY, practice, views, clients)
            stored = wait_stored(audit, before + views, timeout=120)
    finally:
        backends.close()
    seconds = meter.seconds()
    parts = {**processes.by_label(), "PostgreSQL backends": seconds["stack PostgreSQL backends"],
             "RabbitMQ node": seconds["RabbitMQ node"]}
    return {"cpu": sum(seconds.values()), "parts": parts, "failed": failed,
            "wall": meter.wall_seconds, "stored": stored - before}


def per_thousand(result: dict, views: int) -> float:
    return result["cpu"] / views * 1000


def print_round(n: int, bare: dict, stack: dict, views: int) -> None:
    b, s = per_thousand(bare, views), per_thousand(stack, views)
    print(f"  round {n}: bare {b:6.2f} s/1000 ({bare['wall']:.1f} s wall)   stack {s:6.2f} "
          f"s/1000 ({stack['wall']:.1f} s wall, {stack['stored']} access events stored)   "
          f"ratio {s / b:5.2f}   load {os.getloadavg()[0]:.1f}", flush=True)


def print_summary(rounds: list[tuple[dict, dict]], views: int, load: tuple) -> None:
    bare = statistics.median(per_thousand(b, views) for b, _ in rounds)
    stack = statistics.median(per_thousand(s, views) for _, s in rounds)
    ratio = stack / bare
    print()
    print(f"CPU seconds per 1,000 patient views through the gateway (PostgreSQL + RabbitMQ), "
          f"median of {len(rounds)} rounds of {views}")
    print(f"machine: {os.cpu_count()} CPUs, load average before {load[0]:.1f}, after "
          f"{os.getloadavg()[0]:.1f} (1 min)")
    print(f"  bare Flask + SQLAlchemy route (baseline): {bare:7.2f} s")
    print(f"  the platform's patient view:              {stack:7.2f} s")
    verdict = "PASS" if ratio <= GOAL else "ABOVE GOAL"
    print(f"  ratio stack / bare: {ratio:.2f} (goal <= {GOAL:.0f}) {verdict}")
    print("  where the stack's CPU goes (s per 1,000 views, mean of the rounds):")
    for name, seconds in breakdown([s for _, s in rounds], views):
        print(f"    {name:<32} {seconds:7.2f}")
    print("  the bare route's:")
    for name, seconds in breakdown([b for b, _ in rounds], views):
        print(f"    {name:<32} {seconds:7.2f}")
    background = statistics.mean(b["rabbitmq_background"] / b["wall"] for b, _ in rounds)
    print(f"  RabbitMQ's own background while the bare route ran (others' work, timers): "
          f"{background * 1000:.1f} ms CPU per s")


def breakdown(results: list[dict], views: int) -> list[tuple[str, float]]:
    names = sorted({name for r in results for name in r["parts"]})
    mean = {name: statistics.mean(r["parts"].get(name, 0.0) for r in results) / views * 1000
            for name in names}
    return sorted(mean.items(), key=lambda item: -item[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=1000, help="patient views per round")
    parser.add_argument("--rounds", type=int, default=3, help="bare + stack rounds, alternated")
    parser.add_argument("--clients", type=int, default=8, help="client threads")
    parser.add_argument("--patients", type=int, default=40, help="patients viewed at random")
    parser.add_argument("--quick", action="store_true", help="1 round of 300 views")
    parser.add_argument("--save", action="store_true", help="write bench/results/cost-*.json")
    parser.add_argument("--no-mix-events", dest="mix_events", action="store_false",
                        help="skip counting the audit records of each task of the load mix")
    args = parser.parse_args(argv)
    if args.quick:
        args.views, args.rounds, args.patients = 300, 1, 10
    load = os.getloadavg()
    with real_stack("bench_cost") as stack:
        practice = Practice.create(stack, args.patients)
        audit = psycopg.connect(host="127.0.0.1", user="postgres", autocommit=True,
                                dbname=stack.database("audit"))
        with audit, BareRoute.serve(stack) as bare:
            since = audit_size(audit)
            rounds, broke = run_rounds(stack, practice, audit, bare, args)
            mix = events_per_task(practice, audit) if args.mix_events and not broke else {}
            storage = audit_storage(audit, since)
    if rounds:
        print_summary(rounds, args.views, load)
    print(f"audit storage after the run: {storage['records']} records; audit_events with its "
          f"indexes {storage['table_bytes_per_record']:.0f} bytes per record (the row alone "
          f"{storage['row_bytes']:.0f}); the whole audit database grew "
          f"{storage['database_bytes_per_added_record']:.0f} bytes per record over the "
          f"{storage['records_added']} records of the measured rounds and the mix")
    if mix:
        print("audit records per task of bench/load.py's mix (10 runs each): " + ", ".join(
            f"{name} {count:.1f}" for name, count in mix.items()))
        print(f"  weighted by the mix's task weights: {per_mix_task(mix):.2f} records per task")
    if args.save and rounds:
        save(rounds, args, load, {**storage, "events_per_task": mix})
    return 1 if broke else 0


def run_rounds(stack: RealStack, practice: Practice, audit: psycopg.Connection,
               bare: BareRoute, args: argparse.Namespace) -> tuple[list, bool]:
    print(f"warming up: {args.clients * 20} views each way", flush=True)
    drive(bare.url, practice, args.clients * 20, args.clients)
    warm = records_stored(audit)
    drive(GATEWAY, practice, args.clients * 20, args.clients)
    wait_stored(audit, warm + args.clients * 20, timeout=120)
    rounds = []
    for n in range(1, args.rounds + 1):
        practice.refresh_if_old()
        bare_result = measure_bare(bare, practice, args.views, args.clients)
        stack_result = measure_stack(stack, practice, audit, args.views, args.clients)
        print_round(n, bare_result, stack_result, args.views)
        if bare_result["failed"] or stack_result["failed"] or \
                stack_result["stored"] < args.views:
            print(f"something broke: {bare_result['failed']} bare and "
                  f"{stack_result['failed']} stack views failed, "
                  f"{stack_result['stored']} of {args.views} access events stored",
                  file=sys.stderr)
            return rounds, True
        rounds.append((bare_result, stack_result))
    return rounds, False


def save(rounds: list, args: argparse.Namespace, load: tuple, storage: dict) -> None:
    out = REPO / "bench" / "results" / f"cost-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"args": vars(args), "load_before": load, "storage": storage,
                               "rounds": [{"bare": b, "stack": s} for b, s in rounds],
                               "run": str(uuid.uuid4())}, indent=2))
    print(f"saved {out}")


if __name__ == "__main__":
    sys.exit(main())
