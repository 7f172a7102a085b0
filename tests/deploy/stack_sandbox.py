"""Run the whole local stack in namespaces of its own; print, as JSON, what it wrote outside
LOCAL_DIR.

Started by tests/deploy/test_stack_paths.py as `unshare --net --mount python stack_sandbox.py`:
its own loopback (the fixed ports are free whatever runs on the machine), fresh empty tmpfs on
/tmp, /var/tmp and /dev/shm, HOME=/tmp/home, LOCAL_DIR=/tmp/local and the checkout read-only
(a write there fails loudly). The demo seed runs, so mail, uploads and every process are
exercised. Whatever is left in the tmpfs folders outside /tmp/local is what the stack wrote
outside LOCAL_DIR.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WATCHED = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))
LOCAL_DIR = Path("/tmp/local")
HOME = Path("/tmp/home")
UP = "Press Ctrl-C to stop everything."
HELD = Path("/mnt")


def isolate() -> None:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    # The checkout may lie under /tmp (CI clones there): hold it aside (/mnt, in this mount
    # namespace only) while the fresh tmpfs hides /tmp, then put it back at its own path.
    subprocess.run(["mount", "--bind", str(REPO), str(HELD)], check=True)
    for folder in WATCHED:
        subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(folder)], check=True)
    REPO.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "--bind", str(HELD), str(REPO)], check=True)
    subprocess.run(["mount", "-o", "remount,bind,ro", str(REPO)], check=True)
    HOME.mkdir()


def run_stack(timeout: float) -> tuple[bool, list[str]]:
    """Start the stack, wait until it is up and seeded, stop it; (came up, its output)."""
    env = {k: v for k, v in os.environ.items() if k not in ("TMPDIR", "LOCAL_DIR")}
    env.update(HOME=str(HOME), LOCAL_DIR=str(LOCAL_DIR), READY_TIMEOUT=str(timeout))
    stack = subprocess.Popen(
        [sys.executable, "deploy/local/launch.py"], cwd=REPO, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    lines: list[str] = []
    assert stack.stdout is not None
    for line in stack.stdout:  # honcho stops everything (EOF) if any process fails
        lines.append(line.rstrip())
        if UP in line:
            break
    up = any(UP in line for line in lines)
    stack.send_signal(signal.SIGTERM)
    try:
        lines += [line.rstrip() for line in stack.communicate(timeout=90)[0].splitlines()]
    except subprocess.TimeoutExpired:
        os.killpg(stack.pid, signal.SIGKILL)
        lines.append("sandbox: the stack did not stop within 90 s")
    return up, lines


def written_outside_local_dir() -> list[str]:
    found = []
    for folder in WATCHED:
        for path in sorted(folder.rglob("*")):
            if path in (LOCAL_DIR, HOME) or LOCAL_DIR in path.parents:
                continue
            if path == REPO or path in REPO.parents or REPO in path.parents:
                continue  # the checkout itself, put back under /tmp by isolate()
            found.append(str(path))
    return found


def main() -> int:
    isolate()
    started = time.monotonic()
    up, lines = run_stack(timeout=240)
    print(json.dumps({
        "up": up, "seconds": round(time.monotonic() - started, 1),
        "outside_local_dir": written_outside_local_dir(),
        "local_dir": sorted(p.name for p in LOCAL_DIR.iterdir()) if LOCAL_DIR.exists() else [],
        "output": lines[-80:],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
