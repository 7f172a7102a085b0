"""The NetworkPolicies of deploy/k8s/base, evaluated as Kubernetes does: a pod that any policy
selects for a direction is isolated in it, and a connection needs the source's egress and the
destination's ingress to allow it. Each test names who may reach what, and checks every other
pair is refused."""

from __future__ import annotations

import importlib.util
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

import pytest


def _manifest_helpers():  # the manifests' reader
    path = Path(__file__).with_name("test_k8s_manifests.py")
    spec = importlib.util.spec_from_file_location("k8s_manifest_helpers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_k8s = _manifest_helpers()
NAMESPACE = _k8s.kustomization()["namespace"]
POLICIES = _k8s.of_kind("NetworkPolicy")
SERVICES = _k8s.SERVICES


@dataclass(frozen=True)
class Pod:
    name: str
    labels: dict = field(hash=False)
    namespace: str = NAMESPACE

    @property
    def namespace_labels(self) -> dict:
        return {"kubernetes.io/metadata.name": self.namespace}


@dataclass(frozen=True)
class Outside:
    name: str
    ip: str


def selects(selector: dict, labels: dict) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    return all(expression_holds(expr, labels) for expr in selector.get("matchExpressions", []))


def expression_holds(expr: dict, labels: dict) -> bool:
    present = expr["key"] in labels
    inside = present and labels[expr["key"]] in expr.get("values", [])
    return {"In": inside, "NotIn": not inside, "Exists": present,
            "DoesNotExist": not present}[expr["operator"]]


def peer_matches(peer: dict, other: Pod | Outside) -> bool:
    if "ipBlock" in peer:
        if not isinstance(other, Outside):
            return False  # pod addresses are in the excepted private ranges
        address = ipaddress.ip_address(other.ip)
        block = peer["ipBlock"]
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(cidr) for cidr in block.get("except", []))
    if isinstance(other, Outside):
        return False
    if "namespaceSelector" in peer:
        if not selects(peer["namespaceSelector"], other.namespace_labels):
            return False
    elif other.namespace != NAMESPACE:
        return False
    return selects(peer.get("podSelector", {}), other.labels)


def port_matches(rule: dict, port: int, protocol: str) -> bool:
    ports = rule.get("ports")
    if not ports:
        return True
    return any(p.get("protocol", "TCP") == protocol
               and (p.get("port") is None or p["port"] <= port <= p.get("endPort", p["port"]))
               for p in ports)


def allowed(pod: Pod, direction: str, other: Pod | Outside, port: int, protocol: str) -> bool:
    """Whether ``pod``'s policies let ``other`` in (Ingress) or let ``pod`` out to it (Egress)."""
    if pod.namespace != NAMESPACE:
        return True  # not ours: other namespaces' policies are theirs
    isolating = [p for p in POLICIES if direction in p["spec"]["policyTypes"]
                 and selects(p["spec"]["podSelector"], pod.labels)]
    if not isolating:
        return True
    key, peers = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    return any(port_matches(rule, port, protocol)
               and (peers not in rule or any(peer_matches(peer, other) for peer in rule[peers]))
               for policy in isolating for rule in policy["spec"].get(key, []))


def reaches(source: Pod | Outside, target: Pod | Outside, port: int, protocol: str = "TCP") -> bool:
    out = isinstance(source, Outside) or allowed(source, "Egress", target, port, protocol)
    into = isinstance(target, Outside) or allowed(target, "Ingress", source, port, protocol)
    return out and into


def workload_pods() -> dict[str, Pod]:
    pods = {}
    for obj in _k8s.of_kind("Deployment") + _k8s.of_kind("Job"):
        pods[obj["metadata"]["name"]] = Pod(obj["metadata"]["name"],
                                            obj["spec"]["template"]["metadata"]["labels"])
    for obj in _k8s.of_kind("CronJob"):
        template = obj["spec"]["jobTemplate"]["spec"]["template"]
        pods[obj["metadata"]["name"]] = Pod(obj["metadata"]["name"], template["metadata"]["labels"])
    return pods


PODS = workload_pods()
POSTGRES = Pod("postgres", {"app.kubernetes.io/name": "postgres"})
RABBITMQ = Pod("rabbitmq", {"app.kubernetes.io/name": "rabbitmq"})
STRANGER = Pod("debug-shell", {"run": "debug-shell"})
PROMETHEUS = Pod("prometheus", {"app.kubernetes.io/name": "prometheus"}, namespace="monitoring")
KEDA = Pod("keda-operator", {"app": "keda-operator"}, namespace="keda")
KUBE_DNS = Pod("coredns", {"k8s-app": "kube-dns"}, namespace="kube-system")
CLIENT = Outside("a browser", "203.0.113.7")
S3 = Outside("the document store", "52.216.0.10")
METADATA = Outside("the cloud's metadata endpoint", "169.254.169.254")
EVERYONE = [*PODS.values(), POSTGRES, RABBITMQ, STRANGER, PROMETHEUS, KEDA, CLIENT]
SERVICE_PODS = [p for p in PODS.values() if p.labels["app.kubernetes.io/name"] in SERVICES]


def who_reaches(target: Pod | Outside, port: int) -> set[str]:
    return {s.name for s in EVERYONE if s is not target and reaches(s, target, port)}


API_CALLERS = {
    "identity-api": {"gateway", "notes-api", "docportal-api", "audit-api", "prometheus"},
    "notes-api": {"gateway", "docportal-api", "prometheus"},
    "docportal-api": {"gateway", "prometheus"},
    "audit-api": {"gateway", "prometheus"},
}


@pytest.mark.parametrize("api", sorted(API_CALLERS))
def test_only_the_gateway_the_apis_that_call_it_and_prometheus_reach_an_api(api):
    assert who_reaches(PODS[api], 8000) == API_CALLERS[api]


def test_clients_reach_the_gateway_and_nothing_else():
    assert reaches(CLIENT, PODS["gateway"], 8080)
    reachable = {p.name for p in PODS.values() for port in (8000, 9100, 8080)
                 if reaches(CLIENT, p, port)}
    assert reachable == {"gateway"}


def test_each_service_reaches_the_database_and_the_broker_and_nothing_else_does():
    service_pods = {p.name for p in SERVICE_PODS}
    assert who_reaches(POSTGRES, 5432) == service_pods
    assert who_reaches(RABBITMQ, 5672) == service_pods | {"keda-operator"}


def test_the_gateway_and_the_services_that_use_the_store_reach_it_over_https_only():
    over_https = {p.name for p in PODS.values() if reaches(p, S3, 443)}
    assert {"gateway", "docportal-api", "audit-checkpoint-worker", "audit-verify"} <= over_https
    assert not any(p.name.startswith("identity-") for p in PODS.values() if p.name in over_https)
    assert not any(reaches(p, S3, 80) for p in PODS.values())


def test_no_pod_reaches_the_cloud_metadata_endpoint():
    assert not any(reaches(p, METADATA, port) for p in PODS.values() for port in (80, 443))


def test_every_pod_resolves_names_through_the_cluster_dns():
    for pod in [*PODS.values(), POSTGRES, RABBITMQ]:
        assert reaches(pod, KUBE_DNS, 53, "UDP") and reaches(pod, KUBE_DNS, 53, "TCP"), pod.name


def test_prometheus_scrapes_every_worker_and_nothing_else_reaches_their_status_port():
    workers = [p for p in SERVICE_PODS if p.labels["app.kubernetes.io/component"]
               not in {"api", "migration", "verify"}]
    assert len(workers) >= 10
    for worker in workers:
        assert who_reaches(worker, 9100) == {"prometheus"}, worker.name


def test_a_pod_the_platform_does_not_know_reaches_nothing_of_it():
    for target in [*PODS.values(), POSTGRES, RABBITMQ]:
        for port in (8000, 8080, 9100, 5432, 5672):
            if target.name != "gateway":
                assert not reaches(STRANGER, target, port), (target.name, port)


def test_the_policies_name_ports_by_number():
    # Named ports would depend on each pod's container spec; numbers say the same everywhere.
    for policy in POLICIES:
        for key in ("ingress", "egress"):
            for rule in policy["spec"].get(key, []):
                assert all(isinstance(p["port"], int) for p in rule.get("ports", [])), \
                    policy["metadata"]["name"]
