"""docker-compose.yml holds together: builds, commands, gateway routes, ports, dependencies."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "notes", "docportal", "audit")
PUBLISHING = {"gateway", "mailpit", "rabbitmq"}
NGINX_TEMPLATE = REPO / "deploy" / "nginx" / "templates" / "default.conf.template"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]


@pytest.fixture(scope="module")
def definitions() -> dict:
    return json.loads((REPO / "deploy" / "rabbitmq" / "definitions.json").read_text())


def built(compose: dict) -> dict[str, dict]:
    return {name: spec for name, spec in compose.items() if "build" in spec}


def service_of(spec: dict) -> str:
    """The platform service whose package an image holds: services/<svc>/Dockerfile."""
    return Path(spec["build"]["dockerfile"]).parent.name


def scripts_of(service: str) -> dict[str, str]:
    pyproject = tomllib.loads((REPO / "services" / service / "pyproject.toml").read_text())
    return pyproject["project"]["scripts"]


def bind_port(spec: dict) -> int:
    """The port the container's gunicorn binds: BIND in its environment, else the image's."""
    bind = spec.get("environment", {}).get("BIND")
    if bind is None:
        dockerfile = (REPO / spec["build"]["context"] / spec["build"]["dockerfile"]).read_text()
        bind = re.search(r"BIND=(\S+)", dockerfile).group(1)
    return int(bind.rsplit(":", 1)[1])


def test_every_built_service_has_a_context_and_a_dockerfile_that_exists(compose):
    assert built(compose), "no service builds an image"
    for name, spec in built(compose).items():
        build = spec["build"]
        assert (REPO / build["context"]).is_dir(), name
        assert (REPO / build["context"] / build["dockerfile"]).is_file(), name


def test_every_command_is_a_console_script_of_its_own_service(compose):
    for name, spec in built(compose).items():
        command = spec.get("command")
        assert command, f"{name} has no command"
        if command[0] == "gunicorn":
            config = command[command.index("-c") + 1]
            assert (REPO / config).is_file(), f"{name}: {config} missing"
            assert config == f"services/{service_of(spec)}/gunicorn.conf.py", name
        else:
            assert command[0] in scripts_of(service_of(spec)), f"{name}: {command[0]}"


def test_each_service_has_migrate_api_and_relay_and_audit_has_a_consumer(compose):
    for service in SERVICES:
        for role in ("migrate", "api", "relay"):
            assert f"{service}-{role}" in compose
    assert compose["audit-consumer"]["command"] == ["audit", "consume"]


def test_gateway_template_routes_every_api_prefix_stripped_and_the_portal_unstripped():
    template = NGINX_TEMPLATE.read_text()
    routes = dict(re.findall(r"location\s+(/\S*)\s*\{[^}]*?proxy_pass\s+(\S+);", template))
    for service in SERVICES:
        # The trailing slash on proxy_pass is what strips /api/<svc> from the path.
        assert routes[f"/api/{service}/"] == f"http://{service}/"
    # The portal passes nginx's normalised path on (a URI on proxy_pass), unstripped.
    assert routes["/portal/"] == "http://docportal/portal/"


def test_compose_gateway_points_each_upstream_at_an_api_service_and_its_gunicorn_port(compose):
    env = compose["gateway"]["environment"]
    for service in SERVICES:
        host, port = env[f"{service.upper()}_UPSTREAM"].rsplit(":", 1)
        assert host in compose, host
        assert compose[host]["command"][0] == "gunicorn", host
        assert int(port) == bind_port(compose[host])


def test_compose_gateway_mounts_the_shared_template(compose):
    volumes = compose["gateway"]["volumes"]
    assert "./deploy/nginx/templates:/etc/nginx/templates:ro" in volumes


def test_scalable_services_have_no_container_name_and_no_host_ports(compose):
    for name, spec in compose.items():
        assert "container_name" not in spec, name
        if name not in PUBLISHING:
            assert "ports" not in spec, f"{name} publishes a host port"


def test_published_ports_listen_on_localhost_only(compose):
    for name in PUBLISHING:
        for port in compose[name]["ports"]:
            assert port.startswith("127.0.0.1:"), f"{name}: {port}"


def test_every_depends_on_target_exists_and_one_shots_are_awaited_as_completed(compose):
    for name, spec in compose.items():
        for target, rule in spec.get("depends_on", {}).items():
            assert target in compose, f"{name} depends on missing {target}"
            one_shot = compose[target].get("restart") == "no"
            expected = "service_completed_successfully" if one_shot else "service_healthy"
            assert rule["condition"] == expected, f"{name} -> {target}"


def test_every_long_running_service_has_a_healthcheck(compose):
    for name, spec in compose.items():
        if spec.get("restart") != "no":
            assert "healthcheck" in spec, name


def test_api_healthchecks_ask_readyz_on_the_bound_port(compose):
    for service in SERVICES:
        spec = compose[f"{service}-api"]
        probe = " ".join(spec["healthcheck"]["test"])
        assert f":{bind_port(spec)}/readyz" in probe


def test_service_environment_follows_the_contract(compose, definitions):
    databases = re.findall(
        r"CREATE DATABASE (\w+);", (REPO / "deploy" / "postgres" / "init-databases.sql").read_text()
    )
    users = {u["name"] for u in definitions["users"]}
    vhosts = {v["name"] for v in definitions["vhosts"]}
    for name, spec in built(compose).items():
        env = spec["environment"]
        database = env["DATABASE_URL"].rsplit("/", 1)[1]
        assert database == service_of(spec) and database in databases, name
        bus = re.fullmatch(r"amqp://(\w+):[^@]+@rabbitmq:5672/(\w+)", env["BUS_URL"])
        assert bus and bus.group(1) in users and bus.group(2) in vhosts, name
        assert env["BUS_QUORUM_QUEUES"] == "1"
        assert env["S3_ENDPOINT_URL"] == "http://seaweedfs:8333"
        assert env["SMTP_URL"] == "smtp://mailpit:1025"
        for key in ("S3_BUCKET", "S3_ACCESS_KEY", "S3_SECRET_KEY"):
            assert env[key], f"{name}: {key}"


def test_the_store_makes_the_bucket_the_services_use_before_it_reports_healthy(compose):
    bucket = compose["docportal-api"]["environment"]["S3_BUCKET"]
    assert f"-bucket={bucket}" in compose["seaweedfs"]["command"]
    assert f"/buckets/{bucket}/" in " ".join(compose["seaweedfs"]["healthcheck"]["test"])
    for name, spec in built(compose).items():
        if spec.get("restart") != "no":
            assert spec["depends_on"]["seaweedfs"]["condition"] == "service_healthy", name


def test_rabbit_loads_the_definitions_that_compose_mounts(compose):
    conf = (REPO / "deploy" / "rabbitmq" / "rabbitmq.conf").read_text()
    target = re.search(r"^load_definitions\s*=\s*(\S+)", conf, re.M).group(1)
    mounts = {v.split(":")[1]: v.split(":")[0] for v in compose["rabbitmq"]["volumes"]}
    assert (REPO / mounts[target]).resolve() == REPO / "deploy" / "rabbitmq" / "definitions.json"


def test_rabbit_definitions_declare_the_exchange_and_the_quorum_queue_bound_to_everything(
    definitions,
):
    exchange = next(e for e in definitions["exchanges"] if e["name"] == "clinic.events")
    assert exchange["type"] == "topic" and exchange["durable"] is True
    queues = {q["name"]: q for q in definitions["queues"]}
    assert queues["audit.all"]["arguments"]["x-queue-type"] == "quorum"
    assert queues["audit.all.dead"]["arguments"]["x-queue-type"] == "quorum"
    assert {(b["source"], b["destination"], b["routing_key"]) for b in definitions["bindings"]} >= {
        ("clinic.events", "audit.all", "#")
    }
    assert definitions["policies"], "no policies"


def test_rabbit_definitions_match_what_the_consumer_declares(definitions):
    # A queue redeclared with other arguments is refused (PRECONDITION_FAILED) at run time.
    bus = pytest.importorskip("servicekit.messaging.bus")
    queues = {q["name"]: q for q in definitions["queues"]}
    declared = bus.consumer_queue("audit.all", ("#",), quorum=True)
    assert queues["audit.all"]["arguments"] == declared.queue_arguments
    dead = bus.dead_letter_queue("audit.all", quorum=True)
    assert queues["audit.all.dead"]["arguments"] == dead.queue_arguments


def test_every_container_holds_each_secret_its_service_needs(compose, tmp_path):
    """Without one, each container would generate its own (and a restart a new one): staff
    sessions, sealed second factors, mails and proofs would not open across containers."""
    from importlib import import_module

    from servicekit.production import env_name

    for name, spec in built(compose).items():
        service = service_of(spec)
        config_class = next(cls for cls in vars(import_module(f"{service}.config")).values()
                            if isinstance(cls, type) and getattr(cls, "SECRETS", None)
                            and cls.__module__ == f"{service}.config")
        config = import_module(f"{service}.spec").SPEC.load_config(environ={}, local_dir=tmp_path)
        assert type(config) is config_class
        for secret in config_class.SECRETS:
            names = env_name(config, secret).split("/")
            assert any(spec["environment"].get(n) for n in names), f"{name}: {names}"
