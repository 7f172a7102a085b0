"""The benchmark's output: a short table on stdout, cProfile summaries, the JSON figures."""

from __future__ import annotations

import argparse
import json
import pstats
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from baseline import BaselineResult
from pipeline import PipelineResult

from audit.spec import SPEC as AUDIT
from identity.spec import SPEC as IDENTITY

# Against raw kombu WITHOUT publisher confirms in the same run (issue 16): the relay batches
# its confirms, so a confirm per message is no longer the yardstick (it is printed for context).
TARGET_RATIO = 0.3
LONG_RUN_AIM = 0.5
MODE = "relay and consumer as separate processes (identity relay, audit consume)"


def print_report(
    args: argparse.Namespace,
    size: int,
    pipe: PipelineResult,
    confirmed: BaselineResult,
    unconfirmed: BaselineResult,
    loads: dict[str, tuple[float, float, float]],
) -> float:
    config = AUDIT.load_config()
    relay = IDENTITY.load_config()
    ratio = pipe.events_per_second / unconfirmed.events_per_second
    verdict = "PASS" if ratio >= TARGET_RATIO else "BELOW TARGET"
    if args.rate:  # a paced producer caps the pipeline's throughput: no verdict on it
        verdict = "n/a (producer paced by --rate)"
    rows = [
        (
            "pipeline end to end (first commit -> last stored)",
            pipe.events_per_second,
            pipe.total_seconds,
        ),
        (
            "  outbox commits (producer, this process)",
            pipe.events / max(pipe.producer_seconds, 1e-9),
            pipe.producer_seconds,
        ),
        (
            "  relayed (first commit -> last marked sent)",
            pipe.events / pipe.relayed_seconds,
            pipe.relayed_seconds,
        ),
        (
            "raw kombu without confirms (baseline)",
            unconfirmed.events_per_second,
            unconfirmed.total_seconds,
        ),
        ("  its publishing alone", unconfirmed.publish_per_second, unconfirmed.publish_seconds),
        (
            "raw kombu, a confirm per message (context)",
            confirmed.events_per_second,
            confirmed.total_seconds,
        ),
    ]
    print(f"\nEvent backbone benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"mode: {MODE}; events: {args.kind}")
    print(
        f"events {pipe.events:,}  outbox batch {args.batch}  body {size} B  "
        f"relay batch {relay.relay_batch_size}  prefetch {config.consumer_prefetch}"
        + (f"  paced at {args.rate:,.0f}/s" if args.rate else "")
    )
    print(f"\n{'':52}{'events/s':>10}{'seconds':>10}")
    for label, per_second, seconds in rows:
        print(f"{label:52}{per_second:>10,.0f}{seconds:>10.2f}")
    print(
        f"\nlatency commit -> stored:  p50 {pipe.percentile(50):,.0f} ms   "
        f"p95 {pipe.percentile(95):,.0f} ms   p99 {pipe.percentile(99):,.0f} ms   "
        f"max {pipe.latencies_ms[-1]:,.0f} ms"
    )
    print(f"dead letters: {pipe.dead_letters}   audit verify afterwards: {pipe.chain}")
    print(f"CPU per 1,000 events: {pipe.cpu_line()}")
    print("load average (1/5/15 min): " + "   ".join(
        f"{when} {a:.1f}/{b:.1f}/{c:.1f}" for when, (a, b, c) in loads.items()))
    print(
        f"ratio pipeline / raw kombu without confirms: {ratio:.2f}  (target >= {TARGET_RATIO}, "
        f"long-run aim {LONG_RUN_AIM})  {verdict}"
    )
    print(
        f"ratio pipeline / raw kombu with a confirm per message (context): "
        f"{pipe.events_per_second / confirmed.events_per_second:.2f}"
    )
    return ratio


# Idle waits (a thread blocked on a lock, a poll's stop.wait) that top every own-time list.
_IDLE = ("acquire' of '_thread.lock", "select.poll", "select.epoll")


def print_profiles(profile_dir: Path, lines: int = 15) -> None:
    """Per process: the top functions by own time, then the project's code by cumulative time."""
    for path in sorted(profile_dir.glob("*.prof")):
        stats = pstats.Stats(str(path), stream=sys.stdout)
        idle = sum(tt for func, (_, _, tt, _, _) in stats.stats.items()  # type: ignore[attr-defined]
                   if any(mark in pstats.func_std_string(func) for mark in _IDLE))
        print(f"\n--- {path.name}: top functions by own time "
              f"(all threads; {idle:.1f} s of it idle in lock waits) ---")
        stats.sort_stats("tottime").print_stats(lines)
        print(f"--- {path.name}: the platform's own code by cumulative time ---")
        stats.sort_stats("cumulative").print_stats(r"servicekit|/audit/|/identity/", lines)


def _baseline_figures(result: BaselineResult) -> dict[str, object]:
    return {**asdict(result), "events_per_second": result.events_per_second}


def save(
    args: argparse.Namespace,
    size: int,
    ratio: float,
    pipe: PipelineResult,
    confirmed: BaselineResult,
    unconfirmed: BaselineResult,
    loads: dict[str, tuple[float, float, float]],
) -> Path:
    now = datetime.now(UTC)
    figures = {
        "at": now.isoformat(),
        "mode": MODE,
        "events": pipe.events,
        "batch": args.batch,
        "rate": args.rate,
        "body_bytes": size,
        "pipeline": {
            "events_per_second": pipe.events_per_second,
            "total_seconds": pipe.total_seconds,
            "producer_seconds": pipe.producer_seconds,
            "relayed_seconds": pipe.relayed_seconds,
            "latency_ms": {f"p{p}": pipe.percentile(p) for p in (50, 95, 99, 100)},
            "dead_letters": pipe.dead_letters,
            "cpu_seconds": pipe.cpu_seconds,
            "audit_verify": pipe.chain,
        },
        "load_average": loads,
        "baseline_confirms": _baseline_figures(confirmed),
        "baseline_no_confirms": _baseline_figures(unconfirmed),
        "ratio": ratio,
        "ratio_against": "raw kombu without confirms",
        "ratio_to_confirm_per_message": pipe.events_per_second / confirmed.events_per_second,
        "target_ratio": TARGET_RATIO,
    }
    path = Path(__file__).resolve().parent / "results" / f"events-{now:%Y-%m-%d-%H%M%S}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(figures, indent=2) + "\n")
    return path
