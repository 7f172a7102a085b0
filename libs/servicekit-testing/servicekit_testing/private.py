"""Servers of a test's own, for fault tests that stop them: RabbitMQ, PostgreSQL, a TCP proxy.

Other people's tests share this machine's RabbitMQ (5672) and PostgreSQL (5432); a fault test
must never stop those. These fixtures start private instances on free ports in temporary
folders instead and always stop them at the end. Not registered globally: a test folder opts
in with ``pytest_plugins = ["servicekit_testing.private"]``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import selectors
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from servicekit_testing.servers import HOST, free_port

RABBITMQ_BIN = Path(os.environ.get("RABBITMQ_BIN", "/usr/lib/rabbitmq/bin"))


# --- RabbitMQ -------------------------------------------------------------------------------


@dataclass
class PrivateRabbitMQ:
    """A single RabbitMQ node of this test session, on its own ports and folders."""

    node: str
    port: int
    folder: Path

    def env(self) -> dict[str, str]:
        # HOME holds the Erlang cookie the node and rabbitmqctl share.
        return {**os.environ, "HOME": str(self.folder), "RABBITMQ_NODENAME": self.node}

    def ctl(self, *args: str, timeout: float = 60) -> str:
        done = subprocess.run(
            [str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.node, *args], env=self.env(),
            capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {done.stderr[-2000:]}")
        return done.stdout

    def url(self, vhost: str = "") -> str:
        return f"amqp://guest:guest@{HOST}:{self.port}/{vhost}"

    def add_vhost(self) -> str:
        vhost = f"faults-{uuid.uuid4().hex[:10]}"
        self.ctl("add_vhost", vhost)
        self.ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        return vhost

    def stop_app(self) -> None:
        """The broker goes away (connections closed, port closed); the Erlang node stays."""
        self.ctl("stop_app")

    def start_app(self) -> None:
        self.ctl("start_app")
        self.ctl("await_startup", "--timeout", "60")

    def is_running(self) -> bool:
        try:
            self.ctl("await_startup", "--timeout", "1", timeout=15)
        except (RuntimeError, subprocess.TimeoutExpired):
            return False
        return True


def start_private_rabbitmq(timeout: float = 60.0) -> PrivateRabbitMQ:
    """Start a detached node ``faults-<random>@localhost`` and wait until it serves AMQP."""
    if not (RABBITMQ_BIN / "rabbitmq-server").exists():
        pytest.skip(f"RabbitMQ is not installed in {RABBITMQ_BIN}")
    folder = Path(tempfile.mkdtemp(prefix="private-rabbitmq-"))
    plugins = folder / "enabled_plugins"
    plugins.write_text("[].")  # no management plugin: no third port, faster start
    broker = PrivateRabbitMQ(f"faults-{uuid.uuid4().hex[:8]}@localhost", free_port(), folder)
    env = {**broker.env(),
           "RABBITMQ_NODE_PORT": str(broker.port), "RABBITMQ_NODE_IP_ADDRESS": HOST,
           "RABBITMQ_DIST_PORT": str(free_port()),
           "RABBITMQ_MNESIA_BASE": str(folder / "mnesia"),
           "RABBITMQ_LOG_BASE": str(folder / "log"),
           "RABBITMQ_ENABLED_PLUGINS_FILE": str(plugins),
           # Never pick up the machine's broker configuration.
           "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq"),
           "RABBITMQ_ADVANCED_CONFIG_FILE": str(folder / "advanced.config")}
    subprocess.run([str(RABBITMQ_BIN / "rabbitmq-server"), "-detached"], env=env, check=True,
                   capture_output=True, timeout=60)
    deadline = time.monotonic() + timeout
    while not broker.is_running():  # the node registers with epmd a moment after -detached
        if time.monotonic() > deadline:
            stop_private_rabbitmq(broker)
            pytest.fail(f"the private RabbitMQ node did not start; see {folder / 'log'}")
        time.sleep(0.5)
    return broker


def stop_private_rabbitmq(broker: PrivateRabbitMQ) -> None:
    with contextlib.suppress(Exception):
        broker.ctl("stop", timeout=60)
    shutil.rmtree(broker.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def private_rabbitmq() -> Iterator[PrivateRabbitMQ]:
    """One private RabbitMQ node for the session; a test may stop_app/start_app it."""
    started = time.monotonic()
    broker = start_private_rabbitmq()
    broker.started_in = time.monotonic() - started  # type: ignore[attr-defined]
    yield broker
    stop_private_rabbitmq(broker)


@pytest.fixture
def private_broker_url(private_rabbitmq: PrivateRabbitMQ) -> Iterator[str]:
    """A fresh vhost on the private node; the node is running again after the test."""
    if not private_rabbitmq.is_running():
        private_rabbitmq.start_app()
    vhost = private_rabbitmq.add_vhost()
    yield private_rabbitmq.url(vhost)
    if not private_rabbitmq.is_running():
        private_rabbitmq.start_app()
    with contextlib.suppress(Exception):
        private_rabbitmq.ctl("delete_vhost", vhost)


# --- PostgreSQL -----------------------------------------------------------------------------


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of one test, which the test may stop and start again."""

    folder: Path
    port: int
    bin_dir: Path
    run_as: str | None  # initdb and postgres refuse to run as root

    def _run(self, *args: str) -> None:
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as else []
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout[-1000:]}{done.stderr[-1000:]}")

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses={HOST} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.folder / "postgres.log"), "-w", "-t", "60", "start")

    def stop(self) -> None:
        """Fast shutdown: open sessions are cut, as in a crash of the database host."""
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
                  "stop")

    def is_running(self) -> bool:
        with socket.socket() as sock:
            return sock.connect_ex((HOST, self.port)) == 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@{HOST}:{self.port}/{database}"

    def create_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.url(name)


def _postgres_bin() -> Path | None:
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A fresh PostgreSQL cluster (trust auth, user postgres) on a free port, started."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries (initdb) are not installed")
    run_as = None
    folder = Path(tempfile.mkdtemp(prefix="private-postgres-"))
    if os.geteuid() == 0:
        run_as = "postgres"
        pw = pwd.getpwnam(run_as)
        os.chown(folder, pw.pw_uid, pw.pw_gid)
    server = PrivatePostgres(folder, free_port(), bin_dir, run_as)
    server._run(str(bin_dir / "initdb"), "-D", str(server.data), "-U", "postgres",
                "--auth=trust", "-N", "-E", "UTF8")
    server.start()
    yield server
    with contextlib.suppress(Exception):
        server.stop()
    shutil.rmtree(folder, ignore_errors=True)


# --- TCP proxy ------------------------------------------------------------------------------


@dataclass
class TcpProxy:
    """Forwards ``HOST:port`` to a target; can drop every connection or stall them.

    ``stall()`` stops forwarding in both directions without closing anything, as a dead
    network path or a frozen middlebox does: only heartbeats can tell. ``drop()`` closes every
    live connection at once (new ones are forwarded again); ``heal()`` ends a stall.
    """

    target: tuple[str, int]
    port: int = field(default_factory=free_port)
    accepted: list[float] = field(default_factory=list)  # monotonic time of each connection
    stalled: bool = False
    _pairs: list[tuple[socket.socket, socket.socket]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)

    def url(self, amqp_url: str) -> str:
        """``amqp_url`` with its host and port replaced by the proxy's."""
        scheme, rest = amqp_url.split("://", 1)
        userinfo, _, hostpart = rest.rpartition("@")
        path = hostpart.split("/", 1)[1] if "/" in hostpart else ""
        return f"{scheme}://{userinfo}@{HOST}:{self.port}/{path}"

    def start(self) -> None:
        self._listener = socket.create_server((HOST, self.port))
        self._listener.settimeout(0.2)
        threading.Thread(target=self._accept, daemon=True, name="tcp-proxy-accept").start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(time.monotonic())
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            pair = (client, upstream)
            with self._lock:
                self._pairs.append(pair)
            threading.Thread(target=self._pump, args=pair, daemon=True,
                             name="tcp-proxy-pump").start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        peer = {client: upstream, upstream: client}
        with selectors.DefaultSelector() as sel:
            for sock in peer:
                sock.setblocking(False)
                sel.register(sock, selectors.EVENT_READ)
            try:
                while not self._stop.is_set():
                    if self.stalled:  # leave the bytes in the kernel buffers, close nothing
                        time.sleep(0.05)
                        continue
                    for key, _ in sel.select(timeout=0.1):
                        data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                        if not data:
                            return
                        peer[key.fileobj].sendall(data)  # type: ignore[index]
            except OSError:
                return
            finally:
                self._close(client, upstream)

    def _close(self, client: socket.socket, upstream: socket.socket) -> None:
        with self._lock:
            if (client, upstream) in self._pairs:
                self._pairs.remove((client, upstream))
        for sock in (client, upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def live_connections(self) -> int:
        with self._lock:
            return len(self._pairs)

    def drop(self) -> None:
        """Close every live connection, both sides, as a restarted firewall does."""
        with self._lock:
            pairs = list(self._pairs)
        for client, upstream in pairs:
            for sock in (client, upstream):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def stall(self) -> None:
        self.stalled = True

    def heal(self) -> None:
        self.stalled = False

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self.drop()


@pytest.fixture
def tcp_proxy() -> Iterator[callable]:
    """``tcp_proxy(host, port)`` -> a started TcpProxy; all are closed after the test."""
    made: list[TcpProxy] = []

    def make(host: str, port: int) -> TcpProxy:
        proxy = TcpProxy((host, port))
        proxy.start()
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        proxy.close()
