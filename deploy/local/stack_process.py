"""Start the local stack as a child process and stop it as Ctrl-C would (tests and benches).

    proc = start_stack(env, local_dir)          # deploy/local/launch.py, output in stack.log
    ...
    stop_stack(proc)                            # SIGINT to its process group, then SIGKILL
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def start_stack(env: Mapping[str, str], local_dir: Path,
                args: Sequence[str] = ()) -> subprocess.Popen:
    """The launcher in its own process group, writing to ``local_dir/stack.log``."""
    with (Path(local_dir) / "stack.log").open("w") as log:
        return subprocess.Popen([sys.executable, str(REPO / "deploy/local/launch.py"), *args],
                                cwd=REPO, env=dict(env), stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def stop_stack(proc: subprocess.Popen, timeout: float = 30) -> None:
    """What Ctrl-C does (honcho stops every process); killed if that takes too long."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
