"""Three private RabbitMQ nodes on this machine, joined into one cluster, for fault tests.

Each node has its own name, AMQP and distribution ports, data and log folders; the three
share one HOME and so one Erlang cookie, which is what lets them (and rabbitmqctl) talk.
The cluster is formed as an operator would: start three nodes, then ``rabbitmqctl
join_cluster`` the second and third to the first. Nothing here touches the machine's own
broker (5672) or its configuration.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from servicekit_testing.private import RABBITMQ_BIN, PrivateRabbitMQ
from servicekit_testing.servers import HOST, free_port

NODES = 3


@dataclass
class ClusterNode(PrivateRabbitMQ):
    """One node of the cluster; ``folder`` is the cluster's shared HOME (the cookie)."""

    dist_port: int = field(default_factory=free_port)

    @property
    def short_name(self) -> str:
        return self.node.split("@", 1)[0]

    @property
    def data(self) -> Path:
        return self.folder / self.short_name

    @property
    def pid_file(self) -> Path:
        return self.data / "beam.pid"

    def server_env(self) -> dict[str, str]:
        plugins = self.folder / "enabled_plugins"
        return {**self.env(),
                "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_NODE_IP_ADDRESS": HOST,
                "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_MNESIA_BASE": str(self.data / "mnesia"),
                "RABBITMQ_LOG_BASE": str(self.data / "log"),
                "RABBITMQ_PID_FILE": str(self.pid_file),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(plugins),
                # Never pick up the machine's broker configuration.
                "RABBITMQ_CONFIG_FILE": str(self.data / "rabbitmq"),
                "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.data / "advanced.config")}

    def launch(self) -> None:
        """Start the Erlang node detached (again after a kill: it rejoins its cluster)."""
        self.data.mkdir(exist_ok=True)
        self.pid_file.unlink(missing_ok=True)
        subprocess.run([str(RABBITMQ_BIN / "rabbitmq-server"), "-detached"],
                       env=self.server_env(), check=True, capture_output=True, timeout=60)

    def wait_started(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.is_running():  # the node registers with epmd a moment after -detached
            if time.monotonic() > deadline:
                raise RuntimeError(f"node {self.node} did not start; see {self.data / 'log'}")
            time.sleep(0.5)

    def os_pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return int(self.pid_file.read_text().strip())
        return None

    def kill9(self) -> None:
        """The node's host dies: SIGKILL to the Erlang VM, no goodbye to its peers."""
        pid = self.os_pid()
        if pid is None:
            raise RuntimeError(f"no pid file for {self.node} at {self.pid_file}")
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 15
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child of nobody we wait for stays a zombie until init reaps it.
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    return False


@dataclass
class RabbitMQCluster:
    """Three joined nodes; ``urls`` is the failover BUS_URL the services are given.

    The cluster belongs to one test, so its default vhost is the test's own.
    """

    nodes: list[ClusterNode]
    vhost: str = "/"
    formed_in: float = 0.0

    @property
    def first(self) -> ClusterNode:
        return self.nodes[0]

    def urls(self) -> str:
        """``amqp://...node1;amqp://...node2;...``: kombu tries the next one when one fails."""
        return ";".join(node.url(self.vhost) for node in self.nodes)

    def running_nodes(self, via: ClusterNode | None = None) -> list[str]:
        via = via or next(n for n in self.nodes if n.is_running())
        out = via.ctl("eval", "rabbit_nodes:all_running().")
        names = out.replace("'", "").strip().strip("[]").split(",")
        return sorted(name.strip() for name in names if name.strip())

    def queue_members(self, queue: str, via: ClusterNode) -> list[str]:
        """The nodes holding a replica of quorum queue ``queue``."""
        out = via.ctl("list_queues", "-p", self.vhost, "--no-table-headers", "--quiet",
                      "name", "type", "members")
        for line in out.splitlines():
            name, kind, *members = line.split("\t")
            if name == queue:
                assert kind == "quorum", f"{queue} is a {kind} queue"
                return sorted(members[0].strip("[]").replace(",", " ").split())
        raise LookupError(queue)

    def replicas(self, queue: str, via: ClusterNode) -> dict[str, tuple[str, int]]:
        """Each replica of quorum queue ``queue``: node -> (Raft state, commit index)."""
        done = subprocess.run(
            [str(RABBITMQ_BIN / "rabbitmq-queues"), "-n", via.node, "quorum_status", queue,
             "--vhost", self.vhost, "--formatter", "json"],
            env=via.env(), capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"quorum_status {queue} failed: {done.stderr[-2000:]}")
        return {row["Node Name"]: (row["Raft State"], row["Commit Index"])
                for row in json.loads(done.stdout)}

    def queue_leader(self, queue: str, via: ClusterNode) -> str:
        out = via.ctl("list_queues", "-p", self.vhost, "--no-table-headers", "--quiet",
                      "name", "leader")
        return dict(line.split("\t") for line in out.splitlines())[queue].strip()

    def node_named(self, name: str) -> ClusterNode:
        return next(node for node in self.nodes if node.node == name)


def start_cluster() -> RabbitMQCluster:
    """Start three nodes in a shared temporary HOME and join them; stop them on failure."""
    if not (RABBITMQ_BIN / "rabbitmq-server").exists():
        pytest.skip(f"RabbitMQ is not installed in {RABBITMQ_BIN}")
    started = time.monotonic()
    home = Path(tempfile.mkdtemp(prefix="rabbitmq-cluster-"))
    cookie = home / ".erlang.cookie"
    cookie.write_text(secrets.token_hex(20))  # written first: three nodes must not race for it
    cookie.chmod(0o400)
    (home / "enabled_plugins").write_text("[].")  # no management plugin: faster start
    tag = uuid.uuid4().hex[:6]
    nodes = [ClusterNode(f"cluster{tag}-{i}@localhost", free_port(), home)
             for i in range(1, NODES + 1)]
    cluster = RabbitMQCluster(nodes)
    try:
        for node in nodes:
            node.launch()
        for node in nodes:
            node.wait_started()
        for node in nodes[1:]:
            node.ctl("stop_app")
            node.ctl("join_cluster", cluster.first.node)
            node.start_app()
    except BaseException:
        stop_cluster(cluster)
        raise
    cluster.formed_in = time.monotonic() - started
    return cluster


def stop_cluster(cluster: RabbitMQCluster, grace: float = 20.0) -> None:
    """Stop every node at once and remove their folders.

    SIGTERM is RabbitMQ's orderly shutdown; the data is thrown away, so no node needs to stop
    last, and three ``rabbitmqctl stop`` (an Erlang VM each) would only cost time.
    """
    pids = [pid for pid in (node.os_pid() for node in cluster.nodes)
            if pid is not None and _alive(pid)]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in pids:
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    shutil.rmtree(cluster.first.folder, ignore_errors=True)


@pytest.fixture
def rabbitmq_cluster() -> Iterator[RabbitMQCluster]:
    """A three-node RabbitMQ cluster of this test, on free ports; gone after it."""
    cluster = start_cluster()
    yield cluster
    stop_cluster(cluster)
