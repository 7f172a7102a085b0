"""The local stack's `ready` process: create the bucket, wait for every API, print the URLs.

On the first start (no LOCAL_DIR/demo-seeded.json) it then seeds the demo practice and prints
how to sign in (demo.seed_on_first_start; `SEED_DEMO=0` turns it off). A failed seed is
printed and the stack runs on.

It then stays alive, because honcho stops the whole stack as soon as one process exits. If
the stack is not up before the deadline it exits 1, which stops the stack with the other
processes' output still on screen to say why.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from topology import SERVICES, gateway_url


class NotReady(Exception):
    pass


def poll_until(check: Callable[[], None], deadline: float, what: str) -> None:
    """Call ``check`` until it stops raising or the monotonic ``deadline`` passes."""
    while True:
        try:
            check()
            return
        except Exception as err:  # noqa: BLE001 - anything means "not yet"
            if time.monotonic() >= deadline:
                raise NotReady(f"{what}: {type(err).__name__}: {err}") from None
        time.sleep(0.25)


def ensure_bucket(environ: dict[str, str], deadline: float) -> str:
    """Wait for the S3 endpoint and create the documents bucket unless it exists."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    bucket = environ.get("S3_BUCKET", "clinic-documents")
    s3 = boto3.client(
        "s3",
        endpoint_url=environ["S3_ENDPOINT_URL"],
        aws_access_key_id=environ.get("S3_ACCESS_KEY"),
        aws_secret_access_key=environ.get("S3_SECRET_KEY"),
        region_name=environ.get("S3_REGION", "us-east-1"),
        config=Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 1}),
    )

    def create() -> None:
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") not in {"404", "NoSuchBucket"}:
                raise
            s3.create_bucket(Bucket=bucket)

    poll_until(create, deadline, f"bucket {bucket} at {environ['S3_ENDPOINT_URL']}")
    return bucket


def healthz_url(service: str) -> str:
    return f"{gateway_url()}/api/{service}/healthz"


def wait_for_apis(deadline: float) -> None:
    for service in SERVICES:
        url = healthz_url(service.name)

        def answer(url: str = url) -> None:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status != 200:
                    raise NotReady(f"HTTP {response.status}")

        poll_until(answer, deadline, url)


def describe(environ: dict[str, str], bucket: str | None) -> str:
    local_dir = Path(environ.get("LOCAL_DIR", ".local"))
    lines = ["", "The clinic platform is up.", f"  gateway        {gateway_url()}/"]
    lines += [
        f"  {s.name + ' API':<14} {gateway_url()}/api/{s.name}/openapi.json" for s in SERVICES
    ]
    if bucket:
        lines.append(f"  S3             {environ['S3_ENDPOINT_URL']}  (bucket {bucket})")
    lines.append(f"  mail           {environ.get('SMTP_URL', '')} -> {local_dir / 'mail'}/")
    lines.append(f"  bus            {environ.get('BUS_URL', 'filesystem://')}")
    return "\n".join(lines)


def seed_demo(environ: dict[str, str]) -> None:
    """The demo practice on the first start; never stops the stack."""
    if environ.get("SEED_DEMO", "1").strip().lower() in ("0", "false", "no", "off"):
        return
    try:
        from demo import seed_on_first_start

        seed_on_first_start(environ, gateway_url())
    except Exception as err:  # noqa: BLE001 - the stack is up; a demo seed must not stop it
        print(f"demo seed failed: {type(err).__name__}: {err}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Wait for the local stack, then say where it is.")
    parser.add_argument(
        "--timeout", type=float, default=float(os.environ.get("READY_TIMEOUT", 180))
    )
    args = parser.parse_args(argv)
    environ = dict(os.environ)
    deadline = time.monotonic() + args.timeout

    try:
        bucket = ensure_bucket(environ, deadline) if environ.get("S3_ENDPOINT_URL") else None
        wait_for_apis(deadline)
    except NotReady as err:
        print(f"the stack did not come up within {args.timeout:.0f}s: {err}", flush=True)
        return 1
    print(describe(environ, bucket), flush=True)
    seed_demo(environ)
    print("Press Ctrl-C to stop everything.", flush=True)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
