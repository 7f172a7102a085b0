"""Each service's gunicorn.conf.py serves its own app factory on its contract port."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest
from topology import SERVICES

REPO = Path(__file__).resolve().parents[2]


def load(service: str, monkeypatch: pytest.MonkeyPatch, **env: str) -> dict:
    for name in ("BIND", "WEB_CONCURRENCY", "PROMETHEUS_MULTIPROC_DIR", "API_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # The shared defaults read the environment when imported: import them afresh each time.
    monkeypatch.delitem(sys.modules, "servicekit.gunicorn_defaults", raising=False)
    return runpy.run_path(str(REPO / "services" / service / "gunicorn.conf.py"))


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_gunicorn_serves_the_services_app_factory_on_its_contract_port(service, monkeypatch):
    conf = load(service.name, monkeypatch)
    assert conf["wsgi_app"] == f"{service.name}.app:create_app()"
    assert conf["bind"] == [service.bind]
    assert conf["workers"] == 2
    assert conf["graceful_timeout"] == 30
    assert conf["accesslog"] is None


@pytest.mark.parametrize("service", [s for s in SERVICES if s.name != "audit"],
                         ids=lambda s: s.name)
def test_every_api_serves_from_threads_so_a_waiting_request_holds_no_worker(service,
                                                                             monkeypatch):
    conf = load(service.name, monkeypatch)
    assert (conf["worker_class"], conf["threads"]) == ("gthread", 8)
    assert load(service.name, monkeypatch, API_THREADS="16")["threads"] == 16


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_bind_and_worker_count_come_from_the_environment(service, monkeypatch):
    conf = load(service.name, monkeypatch, BIND="0.0.0.0:8000", WEB_CONCURRENCY="5")
    assert conf["bind"] == ["0.0.0.0:8000"] and conf["workers"] == 5


def test_a_restarted_api_starts_its_metrics_from_an_empty_folder(monkeypatch, tmp_path):
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    (metrics / "counter_4242.db").write_bytes(b"stale")
    conf = load("notes", monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(metrics))
    conf["on_starting"](None)
    assert metrics.is_dir() and not list(metrics.iterdir())


def test_audit_serves_streams_from_many_threads_and_keeps_some_for_other_routes(monkeypatch):
    from audit.config import AuditConfig
    from audit.domain.stream_limits import streams_per_worker
    from servicekit.config import load_config

    conf = load("audit", monkeypatch)
    config = load_config(AuditConfig, "audit", environ={})
    assert conf["worker_class"] == "gthread" and conf["threads"] == config.api_threads == 100
    # Streams never take the last threads of a worker: health checks always find one.
    assert streams_per_worker(conf["threads"], config.stream_reserved_threads) == 90
    assert load("audit", monkeypatch, AUDIT_API_THREADS="40")["threads"] == 40
