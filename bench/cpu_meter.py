"""CPU seconds that groups of processes spend between start() and stop(), from psutil.

A group is a function that lists its processes now (a stack's process tree, the PostgreSQL
backends of some databases). A sampler thread looks every quarter second, so a process that
starts during the measurement counts from zero and one that exits keeps what it was last seen
using. A process is keyed by (pid, create time): a reused pid is another process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import psutil

Lister = Callable[[], Iterable[psutil.Process]]
Key = tuple[int, float]
SAMPLE_SECONDS = 0.25


def cpu_seconds(process: psutil.Process) -> float | None:
    """User + system CPU of ``process`` (threads included), None once it has gone."""
    try:
        times = process.cpu_times()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None
    return times.user + times.system


def key_of(process: psutil.Process) -> Key | None:
    try:
        return process.pid, process.create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None


@dataclass
class Group:
    lister: Lister
    label: Callable[[psutil.Process], str] | None = None  # to break the group down
    first: dict[Key, float] = field(default_factory=dict)
    last: dict[Key, float] = field(default_factory=dict)
    labels: dict[Key, str] = field(default_factory=dict)

    def sample(self, started_at: float, baseline: bool) -> None:
        for process in self.lister():
            key, used = key_of(process), cpu_seconds(process)
            if key is None or used is None:
                continue
            if key not in self.first:
                # Born during the measurement: all it used is ours. Seen late but older (a
                # backend the listing did not show yet): from its first sighting on.
                self.first[key] = used if baseline or key[1] < started_at - 1 else 0.0
                self.labels[key] = self.label(process) if self.label else ""
            self.last[key] = used

    @property
    def seconds(self) -> float:
        return sum(self.last[key] - self.first[key] for key in self.last)

    @property
    def processes(self) -> int:
        return len(self.last)

    def by_label(self) -> dict[str, float]:
        found: dict[str, float] = {}
        for key, used in self.last.items():
            label = self.labels[key]
            found[label] = found.get(label, 0.0) + used - self.first[key]
        return found


class CpuMeter:
    """``with CpuMeter({"gateway": list_gateway, ...}) as meter: ...``; then meter.seconds()."""

    def __init__(self, groups: dict[str, Lister | Group]) -> None:
        self.groups = {name: g if isinstance(g, Group) else Group(g) for name, g in groups.items()}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.started_at = self.wall_seconds = 0.0

    def __enter__(self) -> CpuMeter:
        self.started_at = time.time()
        self._sample(baseline=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample(baseline=False)
        self.wall_seconds = time.time() - self.started_at

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._sample(baseline=False)

    def _sample(self, baseline: bool) -> None:
        for group in self.groups.values():
            group.sample(self.started_at, baseline)

    def seconds(self) -> dict[str, float]:
        return {name: group.seconds for name, group in self.groups.items()}

    def processes(self) -> dict[str, int]:
        return {name: group.processes for name, group in self.groups.items()}


def tree(root_pid: int) -> list[psutil.Process]:
    """``root_pid`` and all its descendants (empty once it has gone)."""
    try:
        root = psutil.Process(root_pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def named(pattern: str) -> list[psutil.Process]:
    """Processes whose command line contains ``pattern`` (a server's main process)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if pattern in " ".join(process.info["cmdline"] or ()):
            found.append(process)
    return found
