"""deploy/k8s/base under the "restricted" Pod Security Standard, with probes on every long-running
container and no replica count that fights an autoscaler."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def _manifest_helpers():  # the manifests' reader
    path = Path(__file__).with_name("test_k8s_manifests.py")
    spec = importlib.util.spec_from_file_location("k8s_manifest_helpers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_k8s = _manifest_helpers()
OBJECTS, find, of_kind, kustomization = _k8s.OBJECTS, _k8s.find, _k8s.of_kind, _k8s.kustomization
WRITABLE_VOLUMES = {"emptyDir"}
SAFE_VOLUMES = {"configMap", "secret", "emptyDir", "projected", "downwardAPI"}


def pod_specs() -> list[tuple[str, dict]]:
    """Every pod template: Deployments, Jobs and the CronJob's job template."""
    specs = [(o["metadata"]["name"], o["spec"]["template"]["spec"])
             for o in of_kind("Deployment") + of_kind("Job")]
    specs += [(o["metadata"]["name"], o["spec"]["jobTemplate"]["spec"]["template"]["spec"])
              for o in of_kind("CronJob")]
    return specs


def test_the_namespace_enforces_the_restricted_pod_security_standard():
    namespace = find("Namespace", kustomization()["namespace"])
    labels = namespace["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted", mode


def test_every_pod_meets_the_restricted_standard():
    assert len(pod_specs()) >= 20
    for name, spec in pod_specs():
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] > 0, name
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        assert not any(spec.get(k) for k in ("hostNetwork", "hostPID", "hostIPC")), name
        for volume in spec.get("volumes", []):
            kinds = set(volume) - {"name"}
            assert kinds <= SAFE_VOLUMES, f"{name}: volume {volume['name']} is {kinds}"
        for container in spec["containers"] + spec.get("initContainers", []):
            ctx = container["securityContext"]
            assert ctx["allowPrivilegeEscalation"] is False, name
            assert ctx["readOnlyRootFilesystem"] is True, name
            assert ctx["capabilities"] == {"drop": ["ALL"]}, name
            assert not ctx.get("privileged"), name
            assert not any("hostPort" in p for p in container.get("ports", [])), name


def test_every_writable_path_is_an_empty_dir_and_tmp_is_one_of_them():
    for name, spec in pod_specs():
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for container in spec["containers"]:
            mounts = {m["mountPath"]: m for m in container.get("volumeMounts", [])}
            assert "/tmp" in mounts, f"{name}: no writable /tmp"
            for path, mount in mounts.items():
                volume = volumes[mount["name"]]
                if not mount.get("readOnly"):
                    assert set(volume) - {"name"} <= WRITABLE_VOLUMES, f"{name}: {path}"
                    assert volume["emptyDir"].get("sizeLimit"), f"{name}: {path} is unbounded"


def test_every_long_running_container_has_a_readiness_and_a_liveness_probe():
    # Jobs and the CronJob run to completion: a probe would only restart or hide a migration,
    # and activeDeadlineSeconds bounds them instead.
    for deployment in of_kind("Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            name = f"{deployment['metadata']['name']}/{container['name']}"
            for probe in ("readinessProbe", "livenessProbe"):
                assert "httpGet" in container.get(probe, {}), f"{name} has no {probe}"
    for job in of_kind("Job") + of_kind("CronJob"):
        spec = job["spec"].get("jobTemplate", job)["spec"]
        assert spec["activeDeadlineSeconds"], job["metadata"]["name"]


def test_deployments_an_autoscaler_owns_have_no_replica_count():
    scaled = {h["spec"]["scaleTargetRef"]["name"] for h in of_kind("HorizontalPodAutoscaler")}
    scaled |= {s["spec"]["scaleTargetRef"]["name"] for s in of_kind("ScaledObject")}
    assert {"identity-api", "notes-api", "audit-consumer"} <= scaled
    for name in scaled:
        assert "replicas" not in find("Deployment", name)["spec"], f"{name} pins replicas"
