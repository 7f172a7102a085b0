"""`<svc> relay` and `<svc> consume` serve /metrics on METRICS_PORT, for Prometheus to scrape."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from harness import make_config, make_runtime, publish_events
from servicekit_testing.fixtures import wait_for
from servicekit_testing.servers import free_port

pytestmark = pytest.mark.integration

HERE = Path(__file__).parent

# The throwaway service of harness.py, with the CLI every service gets.
KIT_CLI = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from harness import messaging, record_effect
    from servicekit.cli import service_cli
    from servicekit.config import ServiceConfig
    from servicekit.messaging.consumer import Subscription
    from servicekit.service import ServiceSpec

    spec = ServiceSpec(
        name="kit", config_class=ServiceConfig, messaging=messaging, migrations_dir=Path("."),
        subscriptions=[Subscription("kit.metrics-port", ("kit.#",), record_effect)],
    )
    service_cli(spec)(sys.argv[1:])
    """
)


def scrape(port: int) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as answer:
            return answer.read().decode()
    except OSError:
        return None


def line_value(text: str | None, prefix: str) -> float | None:
    for line in (text or "").splitlines():
        if line.startswith(prefix + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


@pytest.fixture
def kit_command(tmp_path):
    """Runs the kit CLI on a local database and bus with METRICS_PORT set; stops it after."""
    database_url = f"sqlite:///{tmp_path / 'kit.db'}"
    runtime = make_runtime(make_config(tmp_path, database_url, "filesystem://"))
    port = free_port()
    env = dict(os.environ, METRICS_PORT=str(port), DATABASE_URL=database_url,
               BUS_URL="filesystem://", LOCAL_DIR=str(tmp_path), RELAY_POLL_SECONDS="0.02",
               PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    processes = []

    def start(*args: str):
        with open(tmp_path / "kit.log", "ab") as log:  # read it when a test fails
            process = subprocess.Popen([sys.executable, "-c", KIT_CLI, *args], env=env,
                                       stdout=log, stderr=log)
        processes.append(process)
        return port, runtime

    yield start
    for process in processes:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    runtime.close()


def test_the_relay_serves_its_metrics_on_metrics_port(kit_command):
    port, runtime = kit_command("relay")
    lag = 'outbox_oldest_unsent_age_seconds{service="kit"}'
    wait_for(lambda: line_value(scrape(port), lag) == 0.0, timeout=20)
    publish_events(runtime, 2)
    published = 'outbox_events_published_total{service="kit",type="kit.thing.created"}'
    wait_for(lambda: line_value(scrape(port), published) == 2.0, timeout=20)


def test_the_consumer_serves_its_metrics_on_metrics_port(kit_command):
    port, _ = kit_command("consume")
    handled = 'consumer_events_handled_total{queue="kit.metrics-port",service="kit"}'
    wait_for(lambda: line_value(scrape(port), handled) == 0.0, timeout=20)


def status(port: int, path: str) -> tuple[int, dict] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)
    except OSError:
        return None


@pytest.mark.parametrize("command", ["relay", "consume"])
def test_a_worker_answers_its_probes_on_metrics_port(kit_command, command):
    port, _ = kit_command(command)
    assert wait_for(lambda: status(port, "/healthz"), timeout=20) == (200, {"status": "ok"})
    assert status(port, "/readyz") == (200, {"status": "ready",
                                             "checks": {"database": "ok", "bus": "ok"}})
