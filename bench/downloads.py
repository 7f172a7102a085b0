"""Document download benchmark: through the gateway and docportal, against a direct S3 GET.

    .venv/bin/python bench/downloads.py [--rounds 10] [--sizes 1,20]

Uses the platform at http://127.0.0.1:8080 when it answers (`make run`); otherwise starts the
local stack in a throwaway LOCAL_DIR and stops it at the end. For each size (MB) it uploads
one PDF, then alternates, round after round, a download through the gateway
(`GET /api/docportal/documents/{id}/download`: nginx, docportal's checks and event, the
stream from S3) and a direct S3 GET of the same object from the same SeaweedFS. Both read the
body to the end in 1 MB chunks. The figure is throughput through the gateway divided by the
direct throughput, from the medians (goal, issue 16: at least 0.6 for 1 MB, 0.8 for 20 MB and
larger). The load averages at the start and the end are printed with it: the machine is shared.
Exits 0 whether or not the goal is met; 1 if something broke.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "deploy" / "local"))
from gateway_client import GATEWAY, GatewayClient, answers  # noqa: E402
from stack_process import start_stack, stop_stack  # noqa: E402

S3 = "http://127.0.0.1:8333"
TARGET = 0.8  # 20 MB and larger
TARGETS = {1: 0.6}  # a small document: docportal's decision is most of its time
CHUNK = 1024 * 1024
PASSWORD = "bench correct horse battery staple"


@contextmanager
def platform() -> Iterator[dict[str, str]]:
    """The running platform's environment, or a local stack started for this run."""
    if answers(f"{GATEWAY}/api/docportal/readyz"):
        yield dict(os.environ)
        return
    local_dir = Path(tempfile.mkdtemp(prefix="bench-downloads-"))
    env = {**os.environ, "LOCAL_DIR": str(local_dir)}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    proc = start_stack(env, local_dir)
    try:
        deadline = time.monotonic() + 180
        while not all(answers(f"{GATEWAY}/api/{s}/readyz") for s in ("identity", "docportal")):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the local stack did not start; see {local_dir}/stack.log")
            time.sleep(0.5)
        yield env
    finally:
        stop_stack(proc)


def staff_token(env: dict[str, str]) -> tuple[str, str]:
    """A new practice's owner, signed in: (practice id, access token)."""
    email = f"owner-{uuid.uuid4().hex[:8]}@bench.example"
    created = subprocess.run(
        ["identity", "create-practice", "--name", "Bench PT", "--owner-email", email,
         "--owner-password", PASSWORD], cwd=REPO, env=env, capture_output=True, text=True,
        check=True).stdout
    return created.split()[1], GatewayClient().sign_in(email, PASSWORD)


def upload(client: GatewayClient, megabytes: int) -> str:
    body = b"%PDF-1.7\n" + os.urandom(megabytes * CHUNK - 9)
    return client.post("docportal", "/documents", 201, files={
        "file": ("bench.pdf", body, "application/pdf")},
        data={"patient_id": str(uuid.uuid4()), "kind": "other"}).json()["id"]


def timed(read: Callable[[], int], expected: int) -> float:
    started = time.perf_counter()
    size = read()
    elapsed = time.perf_counter() - started
    if size != expected:
        raise SystemExit(f"read {size} bytes, expected {expected}")
    return elapsed


def measure(env: dict[str, str], sizes: list[int], rounds: int) -> list[dict[str, float]]:
    org_id, token = staff_token(env)
    s3 = boto3.client("s3", endpoint_url=env.get("S3_ENDPOINT_URL", S3),
                      aws_access_key_id=env.get("S3_ACCESS_KEY", "clinic-local"),
                      aws_secret_access_key=env.get("S3_SECRET_KEY", "clinic-local-secret"),
                      region_name=env.get("S3_REGION", "us-east-1"))
    bucket = env.get("S3_BUCKET", "clinic-documents")
    client = GatewayClient(token, timeout=120)
    results = []
    for megabytes in sizes:
        document_id = upload(client, megabytes)
        expected = megabytes * CHUNK

        path = f"/documents/{document_id}/download"
        key = f"{org_id}/{document_id}"

        def through_gateway(path: str = path) -> int:
            with client.get("docportal", path, stream=True) as response:
                return sum(len(chunk) for chunk in response.iter_content(CHUNK))

        def direct(key: str = key) -> int:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"]
            return sum(len(chunk) for chunk in iter(lambda: body.read(CHUNK), b""))

        through_gateway(), direct()  # warm both paths (connections, caches) once
        gateway_s, direct_s = [], []
        for _ in range(rounds):
            gateway_s.append(timed(through_gateway, expected))
            direct_s.append(timed(direct, expected))
        gateway_median, direct_median = statistics.median(gateway_s), statistics.median(direct_s)
        results.append({
            "megabytes": megabytes,
            "gateway_mb_s": megabytes / gateway_median,
            "direct_mb_s": megabytes / direct_median,
            "gateway_ms": gateway_median * 1000,
            "direct_ms": direct_median * 1000,
            "ratio": direct_median / gateway_median,
        })
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="downloads per path and size")
    parser.add_argument("--sizes", default="1,20", help="document sizes in MB (1,20)")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    with platform() as env:
        load_before = os.getloadavg()
        results = measure(env, sizes, args.rounds)
        load_after = os.getloadavg()
    print(f"document downloads, median of {args.rounds} rounds each; load average "
          f"{load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end")
    print(f"{'size':>6} {'gateway':>14} {'direct S3':>14} {'ratio':>7} {'goal':>5}")
    for r in results:
        goal = TARGETS.get(int(r["megabytes"]), TARGET)
        verdict = "ok" if r["ratio"] >= goal else "below goal"
        print(f"{r['megabytes']:>4}MB {r['gateway_mb_s']:>8.1f} MB/s {r['direct_mb_s']:>8.1f} MB/s "
              f"{r['ratio']:>7.2f} {goal:>5.1f}  ({r['gateway_ms']:.0f} ms vs "
              f"{r['direct_ms']:.0f} ms) {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
