"""The relay and the consumer as the operators run them: the services' console scripts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from kombu import Connection
from kombu.exceptions import ChannelError

STOP_TIMEOUT_SECONDS = 20


@dataclass
class ServiceProcess:
    name: str
    process: subprocess.Popen
    log_path: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM (the processes stop cleanly and write their profile), then kill if stuck."""
        if not self.alive():
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(
    command: list[str], env: dict[str, str], workdir: Path, profile_dir: Path | None
) -> ServiceProcess:
    """Run ``<service> <subcommand>`` from the venv, optionally under cProfile."""
    name = "-".join(command)
    script = str(Path(sys.executable).parent / command[0])
    argv = [script, *command[1:]]
    if profile_dir is not None:
        profiled = Path(__file__).resolve().parent / "profiled.py"
        argv = [sys.executable, str(profiled), str(profile_dir / f"{name}.prof"), *argv]
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, cwd=workdir
        )
    return ServiceProcess(name=name, process=process, log_path=log_path)


def queue_counts(bus_url: str, queue: str) -> tuple[int, int] | None:
    """(messages, consumers) of ``queue``, or None while it does not exist."""
    with Connection(bus_url, connect_timeout=5) as conn:
        channel = conn.channel()
        try:
            _, messages, consumers = channel.queue_declare(queue=queue, passive=True)
        except ChannelError:
            return None  # 404: the consumer has not declared it yet
        return messages, consumers


def _connections(vhost: str) -> int:
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_connections", "vhost"],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return sum(1 for line in listed.stdout.splitlines() if line.strip() == vhost)


def wait_for_connections(
    vhost: str, count: int, children: list[ServiceProcess], timeout: float
) -> None:
    """Wait until ``count`` clients are connected to ``vhost`` (the relay has booted)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in children:
            if not child.alive():
                raise RuntimeError(f"{child.name} exited early:\n{child.log_tail()}")
        if _connections(vhost) >= count:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{count} clients did not connect to vhost {vhost} in {timeout}s")


def wait_for_consumer(bus_url: str, queue: str, child: ServiceProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"{child.name} exited early:\n{child.log_tail()}")
        counts = queue_counts(bus_url, queue)
        if counts is not None and counts[1] >= 1:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{child.name} did not start consuming {queue} in {timeout}s")
