"""Two local stacks on one machine never share a path: every socket and state file of the
stack lives under its LOCAL_DIR (docs/local-stack.md, "Two stacks on one machine").

Both tests run in network namespaces of their own (`unshare --net`), as the stacks in the
issue did, so they bind none of the machine's fixed ports and need no /tmp/stack.lock.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from procfile import private_tmp_prefix, seaweedfs_command, seaweedfs_identities

REPO = Path(__file__).resolve().parents[2]
ACCESS_KEY, SECRET_KEY = "clinic-local", "clinic-local-secret"
SANDBOX = "stack_sandbox.py"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("nsenter") is None,
    reason="network namespaces of the test's own need root, unshare and nsenter",
)

# Run inside a stack's network namespace: a bucket, an object written and read back.
S3_PROBE = """
import sys, boto3
s3 = boto3.client("s3", endpoint_url="http://127.0.0.1:8333", region_name="us-east-1",
                  aws_access_key_id=sys.argv[1], aws_secret_access_key=sys.argv[2])
if "probe" not in [b["Name"] for b in s3.list_buckets().get("Buckets", [])]:
    s3.create_bucket(Bucket="probe")
s3.put_object(Bucket="probe", Key=sys.argv[3], Body=sys.argv[3].encode())
assert s3.get_object(Bucket="probe", Key=sys.argv[3])["Body"].read() == sys.argv[3].encode()
"""


def start_seaweedfs_in_own_network(local_dir: Path) -> subprocess.Popen:
    """The launcher's SeaweedFS command, on the usual ports, in a network namespace of its own."""
    (local_dir / "s3").mkdir(parents=True)
    (local_dir / "s3-identities.json").write_text(seaweedfs_identities(ACCESS_KEY, SECRET_KEY))
    private_tmp = private_tmp_prefix(local_dir)
    assert private_tmp, "this machine refuses mount namespaces: SeaweedFS would share /tmp"
    command = seaweedfs_command(local_dir, private_tmp)
    log = (local_dir / "weed.out").open("w")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    return subprocess.Popen(
        ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )


def s3_answers(weed: subprocess.Popen, key: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["nsenter", f"--net=/proc/{weed.pid}/ns/net", sys.executable, "-c", S3_PROBE,
         ACCESS_KEY, SECRET_KEY, key], capture_output=True, text=True, timeout=60,
    )


def wait_until_s3_answers(weed: subprocess.Popen, key: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        assert weed.poll() is None, "SeaweedFS exited"
        answer = s3_answers(weed, key)
        if answer.returncode == 0:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"SeaweedFS's S3 did not answer within {seconds:.0f}s:\n{answer.stderr}")
        time.sleep(1)


def stop(weed: subprocess.Popen) -> None:
    if weed.poll() is None:
        weed.send_signal(signal.SIGTERM)
        try:
            weed.wait(timeout=30)
        except subprocess.TimeoutExpired:
            weed.kill()
            weed.wait()


def test_stopping_one_stacks_seaweedfs_leaves_the_others_sockets_alone(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    stacks = [start_seaweedfs_in_own_network(first), start_seaweedfs_in_own_network(second)]
    try:
        wait_until_s3_answers(stacks[0], "before")
        wait_until_s3_answers(stacks[1], "before")
        for local_dir in (first, second):  # same ports, same socket names, different folders
            assert (local_dir / "tmp" / "seaweedfs-filer-grpc-18888.sock").is_socket()
        stop(stacks[1])  # it removes its sockets as it stops: its own, not the first's
        assert (first / "tmp" / "seaweedfs-filer-grpc-18888.sock").is_socket()
        answer = s3_answers(stacks[0], "after-the-other-stopped")
        assert answer.returncode == 0, answer.stderr
    finally:
        for weed in stacks:
            stop(weed)


def test_the_local_stack_writes_nothing_outside_local_dir():
    """The whole stack, up and demo-seeded, then stopped, with /tmp, /var/tmp, /dev/shm and
    HOME on fresh tmpfs and the checkout read-only (tests/deploy/stack_sandbox.py)."""
    done = subprocess.run(
        ["unshare", "--net", "--mount", sys.executable, str(REPO / "tests" / "deploy" / SANDBOX)],
        cwd=REPO, capture_output=True, text=True, timeout=420,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout)
    output = "\n".join(found["output"])
    assert found["up"], f"the stack did not come up:\n{output}"
    assert found["outside_local_dir"] == [], output
    assert {"s3", "tmp", "mail", "nginx", "metrics", "bus"} <= set(found["local_dir"])


def test_a_program_that_lies_under_tmp_still_starts_inside_the_private_tmp(tmp_path):
    """A checkout under /tmp (CI clones there) keeps .venv/bin/weed under /tmp, which the
    private /tmp hides: the script keeps the program reachable before hiding it."""
    local_dir, bin_dir = tmp_path / "local", tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "where-am-i"
    program.write_text("#!/bin/sh\necho \"$PWD $TMPDIR $1\"\n")
    program.chmod(0o755)
    private_tmp = private_tmp_prefix(local_dir)
    assert private_tmp, "this machine refuses mount namespaces"
    ran = subprocess.run([*private_tmp, "where-am-i", "hello"], capture_output=True, text=True,
                         env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
                         timeout=30)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["/tmp/stack", "/tmp", "hello"]
