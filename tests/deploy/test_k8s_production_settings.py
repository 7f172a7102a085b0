"""The k8s manifests run with APP_ENV=production: as shipped, every process refuses to start on
its placeholders (and names each one); filled in from a secret store, every process starts."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

import pytest

from servicekit.config import ServiceConfig, load_config
from servicekit.production import UnsafeProductionConfig


def _manifest_helpers():  # the manifests' reader
    path = Path(__file__).with_name("test_k8s_manifests.py")
    spec = importlib.util.spec_from_file_location("k8s_manifest_helpers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_k8s = _manifest_helpers()
SERVICES = _k8s.SERVICES
settings_of, workloads = _k8s.settings_of, _k8s.workloads
PLACEHOLDER = re.compile(r"CHANGE-ME[\w-]*")


def config_class(svc: str) -> type[ServiceConfig]:
    module = importlib.import_module(f"{svc}.config")
    [cls] = [v for v in vars(module).values() if isinstance(v, type)
             and issubclass(v, ServiceConfig) and v is not ServiceConfig]
    return cls


def service_processes() -> list[tuple[str, dict]]:
    return [(svc, obj) for obj in workloads() for svc in SERVICES
            if obj["metadata"]["name"].startswith(f"{svc}-")]


PROCESSES = service_processes()


def test_every_process_of_every_service_runs_in_production_mode():
    assert {svc for svc, _ in PROCESSES} == set(SERVICES)
    for _, obj in PROCESSES:
        assert settings_of(obj)["APP_ENV"] == "production", obj["metadata"]["name"]


@pytest.mark.parametrize("svc,obj", PROCESSES, ids=[o["metadata"]["name"] for _, o in PROCESSES])
def test_the_shipped_placeholders_stop_the_process_naming_each_one(svc, obj, tmp_path):
    settings = settings_of(obj)
    with pytest.raises(UnsafeProductionConfig) as refused:
        load_config(config_class(svc), svc, settings, local_dir=tmp_path)
    named = {name for problem in refused.value.problems
             for name in problem.split()[0].split("/") if name in settings}
    assert named == {k for k, v in settings.items() if "CHANGE-ME" in v}


@pytest.mark.parametrize("svc,obj", PROCESSES, ids=[o["metadata"]["name"] for _, o in PROCESSES])
def test_filled_in_secrets_let_every_process_start(svc, obj, tmp_path):
    filled = {k: PLACEHOLDER.sub("filled-from-the-secret-store", v)
              for k, v in settings_of(obj).items()}
    config = load_config(config_class(svc), svc, filled, local_dir=tmp_path)
    assert config.app_env == "production"
    assert not list(tmp_path.iterdir()), "production generated a local secret or key"


@pytest.mark.parametrize("svc", SERVICES)
def test_a_service_without_its_mail_outbox_secret_refuses_to_start(svc, tmp_path):
    """Every service queues mail with single-use links: in production its outbox is sealed
    under a secret from the secret store, never one generated per pod."""
    [(_, obj), *_] = [(s, o) for s, o in PROCESSES if s == svc]
    filled = {k: PLACEHOLDER.sub("filled-from-the-secret-store", v)
              for k, v in settings_of(obj).items() if k != "MAIL_OUTBOX_SECRET"}
    with pytest.raises(UnsafeProductionConfig) as refused:
        load_config(config_class(svc), svc, filled, local_dir=tmp_path)
    assert [p for p in refused.value.problems if p.startswith("MAIL_OUTBOX_SECRET is not set")]
    assert not list(tmp_path.iterdir())
