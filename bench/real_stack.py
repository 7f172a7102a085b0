"""The local stack on this machine's PostgreSQL and RabbitMQ, for one bench run.

Fresh databases ``bench_<tag>_<service>`` and a fresh vhost, all dropped at the end; the stack
in a throwaway LOCAL_DIR, started with the launcher's ``--real`` and stopped as Ctrl-C would.
Refuses to start while anything listens on the stack's ports (another stack, CI's end-to-end
tests): run benches that start it under ``flock /tmp/stack.lock``.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "deploy" / "local"))
from stack_process import start_stack, stop_stack  # noqa: E402
from topology import GATEWAY_PORT, S3_PORT, SERVICES, SMTP_PORT  # noqa: E402

GATEWAY = f"http://127.0.0.1:{GATEWAY_PORT}"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432"
NAMES = tuple(s.name for s in SERVICES)
PORTS = (GATEWAY_PORT, *(s.port for s in SERVICES), S3_PORT, SMTP_PORT)
# The real servers of the caller's environment must not leak into the stack.
CALLER_SERVERS = ("BUS_URL", "DATABASE_URL", "S3_ENDPOINT_URL", "SMTP_URL",
                  *(f"{name.upper()}_DATABASE_URL" for name in NAMES))


@dataclass(frozen=True)
class RealStack:
    env: dict[str, str]
    local_dir: Path
    process: subprocess.Popen
    tag: str

    def database(self, service: str) -> str:
        return f"{self.tag}_{service}"

    def database_url(self, service: str) -> str:
        return f"{POSTGRES}/{self.database(service)}"

    def cli(self, *args: str) -> str:
        return subprocess.run(list(args), cwd=REPO, env=self.env, capture_output=True,
                              text=True, timeout=60, check=True).stdout


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def port_in_use(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def drop_databases(names: list[str]) -> None:
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres",
                         autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stack_env(folder: Path, tag: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CALLER_SERVERS}
    env["LOCAL_DIR"] = str(folder)
    env["SEED_DEMO"] = "0"
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for name in NAMES:
        env[f"{name.upper()}_DATABASE_URL"] = f"{POSTGRES}/{tag}_{name}"
    env["BUS_URL"] = f"amqp://guest:guest@127.0.0.1:5672/{tag}"
    return env


@contextmanager
def real_stack(prefix: str) -> Iterator[RealStack]:
    """The stack, ready behind the gateway; everything it created removed on the way out."""
    taken = [port for port in PORTS if port_in_use(port)]
    if taken:
        raise SystemExit(f"ports {taken} are in use (another stack?); run under "
                         "`flock /tmp/stack.lock` or wait, then run again")
    tag = f"{prefix}_{secrets.token_hex(4)}"
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
    env = stack_env(folder, tag)
    rabbitmqctl("add_vhost", tag)
    process = None
    try:
        rabbitmqctl("set_permissions", "-p", tag, "guest", ".*", ".*", ".*")
        process = start_stack(env, folder, ["--real"])
        print(f"started the stack --real (pid {process.pid}, LOCAL_DIR {folder})", flush=True)
        deadline = time.monotonic() + 240
        while not all(answers(f"{GATEWAY}/api/{name}/readyz") for name in NAMES):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the stack did not start; see {folder}/stack.log")
            time.sleep(0.5)
        yield RealStack(env, folder, process, tag)
    finally:
        if process is not None:
            if process.poll() is not None:
                print(f"the stack stopped by itself; see {folder}/stack.log", file=sys.stderr)
            stop_stack(process)
        rabbitmqctl("delete_vhost", tag)
        drop_databases([f"{tag}_{name}" for name in NAMES])
        print("stopped the stack, dropped its databases and vhost", flush=True)
