"""deploy/k8s/base: valid Kubernetes objects that run what compose runs, the way compose runs it.

Every object is checked against the Kubernetes 1.32 schemas that kubernetes-validate ships
(strict: an unknown or misspelt field fails). KEDA's objects are custom resources it does not
ship; their required fields are checked here by hand.
"""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from kubernetes_validate import utils as k8s_schemas

from servicekit.messaging import bus

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "deploy" / "k8s" / "base"
K8S_VERSION = "1.32.0"  # the kubectl of the development machines; kubernetes-validate ships it
SERVICES = ("identity", "notes", "docportal", "audit")
KEDA = "keda.sh/v1alpha1"
PLACEHOLDER = "CHANGE-ME"
# Settings that must reach the pods from Secrets only, never from a ConfigMap.
SECRET_SETTINGS = {
    "DATABASE_URL", "BUS_URL", "JWT_PRIVATE_KEYS", "S3_ACCESS_KEY", "S3_SECRET_KEY",
    "RECIPIENT_PROOF_SECRET", "PORTAL_SESSION_SECRET", "SMTP_URL", "AUDIT_SIGNING_KEY",
    "AUDIT_WITNESS_ACCESS_KEY", "AUDIT_WITNESS_SECRET_KEY", "STAFF_SESSION_SECRET",
    "PLAN_PAGE_SESSION_SECRET", "MAIL_OUTBOX_SECRET",
}


def kustomization(folder: Path = BASE) -> dict:
    return yaml.safe_load((folder / "kustomization.yaml").read_text())


def included_folders() -> list[Path]:
    """The base and the kustomizations it includes as resources (deploy/nginx: the gateway
    template, which kustomize may read only from its own folder)."""
    return [BASE] + [(BASE / r).resolve() for r in kustomization()["resources"]
                     if (BASE / r).is_dir()]


def generated_config_maps() -> list[dict]:
    """The ConfigMaps the configMapGenerators make, as objects (without the hash)."""
    made = []
    for folder in included_folders():
        for gen in kustomization(folder).get("configMapGenerator", []):
            data = {Path(f).name: (folder / f).read_text() for f in gen.get("files", [])}
            labels = gen.get("options", {}).get("labels", {})
            made.append({"apiVersion": "v1", "kind": "ConfigMap",
                         "metadata": {"name": gen["name"], "labels": labels}, "data": data})
    return made


def load_objects() -> list[dict]:
    objects = []
    for resource in kustomization()["resources"]:
        if (BASE / resource).is_file():
            objects += [d for d in yaml.safe_load_all((BASE / resource).read_text()) if d]
    return objects + generated_config_maps()


OBJECTS = load_objects()


def find(kind: str, name: str) -> dict:
    matches = [o for o in OBJECTS if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind}/{name}, found {len(matches)}"
    return matches[0]


def of_kind(kind: str) -> list[dict]:
    return [o for o in OBJECTS if o["kind"] == kind]


def pod_spec(obj: dict) -> dict:
    return obj["spec"]["template"]["spec"]


def workloads() -> list[dict]:
    return of_kind("Deployment") + of_kind("Job")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]


def test_the_kustomization_lists_every_manifest_file_and_only_files_that_exist():
    kustom = kustomization()
    listed = {BASE / r for r in kustom["resources"] if not (BASE / r).is_dir()}
    assert all(p.is_file() for p in listed), [str(p) for p in listed if not p.is_file()]
    on_disk = {p for p in BASE.rglob("*.yaml") if p.name != "kustomization.yaml"}
    assert on_disk == listed, f"not in kustomization.yaml: {sorted(map(str, on_disk - listed))}"
    for folder in included_folders():
        if folder != BASE:  # only generators there: no object load_objects would miss
            assert set(kustomization(folder)) <= {"apiVersion", "kind", "configMapGenerator"}
        for gen in kustomization(folder)["configMapGenerator"]:
            for f in gen["files"]:
                assert (folder / f).is_file(), f


def test_names_are_unique_per_kind():
    keys = [(o["kind"], o["metadata"]["name"]) for o in OBJECTS]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


@pytest.mark.parametrize(
    "obj", [o for o in OBJECTS if o["apiVersion"] != KEDA],
    ids=lambda o: f"{o['kind']}/{o['metadata']['name']}",
)
def test_every_object_is_valid_against_the_kubernetes_schema(obj):
    try:
        k8s_schemas.validate(obj, K8S_VERSION, strict=True)
    except k8s_schemas.ValidationError as err:
        path = ".".join(str(p) for p in err.path)
        pytest.fail(f"{obj['kind']}/{obj['metadata']['name']}: {path}: {err.message}")


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_kustomize_builds_the_same_objects_and_they_validate():
    built = subprocess.run(["kubectl", "kustomize", str(BASE)], capture_output=True, text=True,
                           check=True, timeout=120).stdout
    objects = [d for d in yaml.safe_load_all(built) if d]
    assert sorted(o["kind"] for o in objects) == sorted(o["kind"] for o in OBJECTS)
    [templates] = [o for o in objects if o["metadata"]["name"].startswith("gateway-templates-")]
    assert templates["data"] == find("ConfigMap", "gateway-templates")["data"]
    for obj in objects:
        assert obj["metadata"]["labels"]["app.kubernetes.io/part-of"] == "clinic-platform"
        if obj["apiVersion"] != KEDA:
            k8s_schemas.validate(obj, K8S_VERSION, strict=True)


# --- KEDA: custom resources, so their shape is checked here ------------------------------


def test_every_scaled_object_has_keda_required_fields_and_scales_an_existing_deployment():
    auths = {a["metadata"]["name"]: a for a in of_kind("TriggerAuthentication")}
    assert of_kind("ScaledObject"), "no ScaledObject"
    for so in of_kind("ScaledObject"):
        assert so["apiVersion"] == KEDA
        spec = so["spec"]
        target = spec["scaleTargetRef"]
        assert target.get("kind", "Deployment") == "Deployment"
        find("Deployment", target["name"])
        assert 0 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]
        assert spec["triggers"], so["metadata"]["name"]
        for trigger in spec["triggers"]:
            assert trigger["type"] == "rabbitmq"
            meta = trigger["metadata"]
            assert meta["protocol"] in {"amqp", "http", "auto"}
            assert meta["mode"] in {"QueueLength", "MessageRate"}
            assert isinstance(meta["value"], str) and float(meta["value"]) > 0
            assert meta["queueName"]
            assert trigger["authenticationRef"]["name"] in auths


def test_trigger_authentication_reads_the_bus_url_from_an_existing_secret():
    for auth in of_kind("TriggerAuthentication"):
        assert auth["apiVersion"] == KEDA
        for ref in auth["spec"]["secretTargetRef"]:
            assert ref["parameter"] == "host"
            assert ref["key"] in find("Secret", ref["name"])["stringData"]


# --- what runs: the same processes, images and commands as docker-compose.yml -----------


def test_each_service_runs_the_processes_compose_runs_with_the_same_image_and_command(compose):
    jobs_and_deployments = {o["metadata"]["name"]: o for o in workloads()}
    for name, spec in compose.items():
        if "build" not in spec:
            continue
        obj = jobs_and_deployments.get(name)
        assert obj is not None, f"compose runs {name}; deploy/k8s does not"
        container = pod_spec(obj)["containers"][0]
        assert container["image"] == spec["image"], name
        assert container["command"] == spec["command"], name
    assert find("Deployment", "gateway")["spec"]["template"]["spec"]["containers"][0][
        "image"] == compose["gateway"]["image"]


def test_kustomize_image_entries_keep_the_compose_image_names(compose):
    names = {e["name"]: e["newTag"] for e in kustomization()["images"]}
    for svc in SERVICES:
        image, tag = compose[f"{svc}-api"]["image"].split(":")
        assert names[image] == tag


def test_every_service_has_a_migration_job_that_runs_its_migrate_command():
    for svc in SERVICES:
        job = find("Job", f"{svc}-migrate")
        assert pod_spec(job)["containers"][0]["command"] == [svc, "migrate"]
        assert pod_spec(job)["restartPolicy"] == "Never"
        assert job["spec"]["template"]["metadata"]["labels"][
            "app.kubernetes.io/component"] == "migration"


def test_consumers_are_exactly_the_services_the_topology_says_consume():
    import topology  # deploy/local, on sys.path through tests/deploy/conftest.py

    consuming = {s.name for s in topology.SERVICES if s.consumes}
    deployed = {d["metadata"]["name"].removesuffix("-consumer")
                for d in of_kind("Deployment") if d["metadata"]["name"].endswith("-consumer")}
    assert deployed == consuming


def test_every_worker_of_the_topology_is_deployed_in_k8s_and_compose(compose):
    import topology

    for service in topology.SERVICES:
        for worker in service.workers:
            name = f"{service.name}-{worker}"
            [container] = pod_spec(find("Deployment", name))["containers"]
            assert container["command"] == [service.name, worker], name
            assert compose[name]["command"] == [service.name, worker], name


def subscriptions(svc: str) -> dict[str, tuple[str, ...]]:
    spec = importlib.import_module(f"{svc}.spec").SPEC
    return {s.queue: s.bindings for s in spec.subscriptions}


def test_each_consumer_has_a_scaled_object_on_the_queue_it_consumes_and_that_queue_exists():
    definitions = json.loads((BASE / "rabbitmq" / "definitions.json").read_text())
    declared = {q["name"] for q in definitions["queues"]}
    for deployment in of_kind("Deployment"):
        name = deployment["metadata"]["name"]
        if not name.endswith("-consumer"):
            continue
        svc = name.removesuffix("-consumer")
        command = pod_spec(deployment)["containers"][0]["command"]
        # Without --queue a consumer runs every subscription of its service (token state too).
        assert command == [svc, "consume"], command
        scaled = [so for so in of_kind("ScaledObject")
                  if so["spec"]["scaleTargetRef"]["name"] == name]
        assert len(scaled) == 1, name
        [queue] = [t["metadata"]["queueName"] for t in scaled[0]["spec"]["triggers"]]
        assert queue in subscriptions(svc), f"{svc} has no subscription {queue}"
        # identity issues the tokens: it keeps no projection of them, so no token_state queue.
        issues_tokens = importlib.import_module(f"{svc}.spec").SPEC.issues_tokens
        assert queue in declared and (issues_tokens or f"{svc}.token_state" in declared)


def test_rabbit_definitions_declare_each_queue_as_the_consumer_would_with_its_bindings():
    # A queue redeclared with other arguments is refused (PRECONDITION_FAILED) at run time.
    definitions = json.loads((BASE / "rabbitmq" / "definitions.json").read_text())
    queues = {q["name"]: q for q in definitions["queues"]}
    bindings = {(b["destination"], b["routing_key"]) for b in definitions["bindings"]}
    expected_queues = set()
    for svc in SERVICES:
        for queue, keys in subscriptions(svc).items():
            expected_queues |= {queue, bus.dead_letter_name(queue)}
            declared = bus.consumer_queue(queue, keys, True).queue_arguments
            assert queues[queue]["arguments"] == declared
            assert queues[queue]["arguments"]["x-queue-type"] == "quorum"
            dead = bus.dead_letter_queue(queue, True).queue_arguments
            assert queues[bus.dead_letter_name(queue)]["arguments"] == dead
            assert {(queue, k) for k in keys} == {b for b in bindings if b[0] == queue}
    assert set(queues) == expected_queues | {bus.UNROUTED_NAME}
    assert {b["source"] for b in definitions["bindings"] if b["source"] != bus.UNROUTED_NAME} \
        == {bus.EXCHANGE_NAME}


def test_rabbit_definitions_keep_unroutable_events_exactly_as_the_relay_declares_them():
    # An exchange redeclared with other arguments is refused (PRECONDITION_FAILED) too.
    definitions = json.loads((BASE / "rabbitmq" / "definitions.json").read_text())
    exchanges = {e["name"]: e for e in definitions["exchanges"]}
    for made in (bus.events_exchange(), bus.unrouted_exchange()):
        assert exchanges[made.name]["type"] == made.type
        assert exchanges[made.name]["arguments"] == (made.arguments or {})
    assert exchanges[bus.EXCHANGE_NAME]["arguments"]["alternate-exchange"] == bus.UNROUTED_NAME
    [queue] = [q for q in definitions["queues"] if q["name"] == bus.UNROUTED_NAME]
    assert queue["durable"] and queue["arguments"] == bus.unrouted_queue(True).queue_arguments
    assert {(b["source"], b["destination"]) for b in definitions["bindings"]
            if b["destination"] == bus.UNROUTED_NAME} == {(bus.UNROUTED_NAME, bus.UNROUTED_NAME)}


def test_rabbit_definitions_reuse_the_compose_exchange_and_dead_letter_policy_without_users():
    ours = json.loads((BASE / "rabbitmq" / "definitions.json").read_text())
    compose_defs = json.loads((REPO / "deploy" / "rabbitmq" / "definitions.json").read_text())
    assert ours["exchanges"] == compose_defs["exchanges"]
    assert ours["policies"] == compose_defs["policies"]
    assert "users" not in ours and "permissions" not in ours  # users come from the secret store
    for policy in ours["policies"]:
        assert policy["definition"]["dead-letter-strategy"] == "at-least-once"
        for queue in ours["queues"]:
            dead = queue["name"].endswith(".dead")
            assert bool(re.search(policy["pattern"], queue["name"])) is not dead, queue["name"]


# --- APIs: probes, ports, disruption budgets, autoscalers --------------------------------


def exposed_port(svc: str) -> int:
    dockerfile = (REPO / "services" / svc / "Dockerfile").read_text()
    return int(re.search(r"^EXPOSE\s+(\d+)", dockerfile, re.M).group(1))


def test_every_api_probes_readyz_and_healthz_on_the_port_its_image_exposes():
    for svc in SERVICES:
        container = pod_spec(find("Deployment", f"{svc}-api"))["containers"][0]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports["http"] == exposed_port(svc)
        for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            get = container[probe]["httpGet"]
            assert get["path"] == path, f"{svc} {probe}"
            assert ports.get(get["port"], get["port"]) == exposed_port(svc)
        env = {e["name"]: e["value"] for e in container["env"]}
        assert env["BIND"].endswith(f":{exposed_port(svc)}")
        assert container["resources"]["requests"] and container["resources"]["limits"]


def test_every_api_has_a_service_a_disruption_budget_and_an_autoscaler_that_match_it():
    for svc in SERVICES:
        deployment = find("Deployment", f"{svc}-api")
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        service = find("Service", f"{svc}-api")
        assert service["spec"]["selector"].items() <= pod_labels.items()
        assert service["spec"]["ports"][0]["port"] == exposed_port(svc)
        pdb = find("PodDisruptionBudget", f"{svc}-api")
        assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        hpa = find("HorizontalPodAutoscaler", f"{svc}-api")
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1", "kind": "Deployment", "name": f"{svc}-api"}
        assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]


def test_every_pod_runs_as_non_root_on_a_read_only_root_with_no_privileges():
    for obj in workloads():
        spec = pod_spec(obj)
        assert spec["securityContext"]["runAsNonRoot"] is True, obj["metadata"]["name"]
        assert spec["automountServiceAccountToken"] is False
        for container in spec["containers"]:
            ctx = container["securityContext"]
            assert ctx["readOnlyRootFilesystem"] is True, obj["metadata"]["name"]
            assert ctx["allowPrivilegeEscalation"] is False
            assert ctx["capabilities"]["drop"] == ["ALL"]
            assert container["resources"]["limits"]["memory"]


# --- configuration: references resolve, secrets hold placeholders only ------------------


def test_every_config_map_and_secret_a_pod_reads_exists():
    for obj in workloads():
        for container in pod_spec(obj)["containers"]:
            for ref in container.get("envFrom", []):
                if "configMapRef" in ref:
                    find("ConfigMap", ref["configMapRef"]["name"])
                else:
                    find("Secret", ref["secretRef"]["name"])


def settings_of(obj: dict) -> dict[str, str]:
    """Every variable a workload's first container gets from its ConfigMaps and Secrets."""
    values: dict[str, str] = {}
    for ref in pod_spec(obj)["containers"][0].get("envFrom", []):
        if "configMapRef" in ref:
            values.update(find("ConfigMap", ref["configMapRef"]["name"]).get("data") or {})
        else:
            values.update(find("Secret", ref["secretRef"]["name"])["stringData"])
    return values


def test_every_process_of_a_service_gets_the_same_settings_and_its_own_database():
    for svc in SERVICES:
        processes = [o for o in workloads() if o["metadata"]["name"].startswith(f"{svc}-")]
        seen = [settings_of(p) for p in processes]
        assert all(s == seen[0] for s in seen), f"{svc}: processes read different settings"
        assert seen[0]["DATABASE_URL"].rsplit("/", 1)[1] == svc
        assert seen[0]["BUS_QUORUM_QUEUES"] == "1"
        assert "MAIL_OUTBOX_SECRET" in seen[0], f"{svc}: its mail outbox has no seal"
    assert {"JWT_PRIVATE_KEYS", "SMTP_URL", "RECIPIENT_PROOF_SECRET"} <= settings_of(
        find("Deployment", "identity-api")).keys()
    assert {"S3_ACCESS_KEY", "S3_SECRET_KEY", "PORTAL_SESSION_SECRET", "SMTP_URL",
            "RECIPIENT_PROOF_SECRET"} <= settings_of(find("Deployment", "docportal-api")).keys()
    assert {"PLAN_PAGE_SESSION_SECRET", "SMTP_URL", "PLAN_BASE_URL"} <= settings_of(
        find("Deployment", "notes-api")).keys()


def test_secret_settings_come_from_secrets_only():
    for config_map in of_kind("ConfigMap"):
        leaked = SECRET_SETTINGS & set(config_map.get("data") or {})
        assert not leaked, f"{config_map['metadata']['name']} holds {leaked}"


def test_no_secret_holds_anything_but_placeholders(compose):
    local_values = {v for spec in compose.values() if isinstance(spec.get("environment"), dict)
                    for v in spec["environment"].values() if isinstance(v, str) and len(v) > 6}
    for secret in of_kind("Secret"):
        name = secret["metadata"]["name"]
        assert "data" not in secret, f"{name}: base64 data hides what it holds; use stringData"
        for key, value in secret["stringData"].items():
            assert PLACEHOLDER in value, f"{name}.{key} is not a placeholder"
            assert "-----BEGIN" not in value, f"{name}.{key} holds a key"
            assert not any(local in value for local in local_values if PLACEHOLDER not in local)


# --- the gateway: compose's template, pointed at the API Services -----------------------


def gateway_template() -> str:
    [template] = find("ConfigMap", "gateway-templates")["data"].values()
    return template


def test_the_gateway_template_is_the_one_compose_and_the_local_stack_use():
    shared = REPO / "deploy" / "nginx" / "templates" / "default.conf.template"
    assert gateway_template() == shared.read_text()
    assert not list(BASE.rglob("*.template")), "a copy of the template in the k8s base"


def test_the_gateway_fills_every_template_placeholder_with_an_api_service():
    settings = find("ConfigMap", "gateway-settings")["data"]
    template = gateway_template()
    placeholders = set(re.findall(r"\$\{([A-Z_]+)\}", template))
    assert placeholders <= settings.keys()
    assert all(re.fullmatch(settings["NGINX_ENVSUBST_FILTER"], p) for p in placeholders)
    for svc in SERVICES:
        host, port = settings[f"{svc.upper()}_UPSTREAM"].split(":")
        assert find("Service", host)["spec"]["ports"][0]["port"] == int(port)
    gateway = pod_spec(find("Deployment", "gateway"))
    mounts = {m["mountPath"]: m["name"] for m in gateway["containers"][0]["volumeMounts"]}
    volumes = {v["name"]: v for v in gateway["volumes"]}
    assert volumes[mounts["/etc/nginx/templates"]]["configMap"]["name"] == "gateway-templates"


def test_every_worker_is_probed_on_its_metrics_port():
    for deployment in of_kind("Deployment"):
        container = pod_spec(deployment)["containers"][0]
        if not any(p.get("name") == "metrics" for p in container.get("ports", [])):
            continue
        name = deployment["metadata"]["name"]
        for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            assert container[probe]["httpGet"] == {"path": path, "port": "metrics"}, name
