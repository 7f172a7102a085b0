"""The production images install their service and servicekit, never the test code.

The fixtures live in libs/servicekit-testing, which only `make venv` installs. An image that
copied or installed it, or a service whose dependencies pulled in pytest, would ship test
servers and the test runner to production.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "notes", "docportal", "audit")
TEST_ONLY = {"pytest", "servicekit-testing", "aiosmtpd", "hypothesis", "requirements-dev"}


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def install_lines(dockerfile: Path) -> list[str]:
    """COPY, ADD and RUN instructions, continuation lines joined."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    return [line.strip() for line in text.splitlines()
            if re.match(r"\s*(COPY|ADD|RUN)\b", line, re.IGNORECASE)]


@pytest.mark.parametrize("service", SERVICES)
def test_the_dockerfile_installs_servicekit_and_its_service_only(service):
    lines = install_lines(REPO / "services" / service / "Dockerfile")
    installs = [line for line in lines if "pip install" in line]
    assert len(installs) == 1, installs
    assert re.findall(r"-e (\S+)", installs[0]) == ["libs/servicekit", f"services/{service}"]
    for line in lines:
        assert "servicekit-testing" not in line and "servicekit_testing" not in line, line
        assert not {normal(word) for word in re.split(r"[\s/]+", line)} & TEST_ONLY, line


def closure(name: str, extras: frozenset[str] = frozenset()) -> set[str]:
    """Every distribution `pip install name` pulls in, read from the venv's metadata."""
    seen: set[str] = set()
    todo = [(name, extras)]
    while todo:
        dist, wanted = todo.pop()
        if normal(dist) in seen:
            continue
        seen.add(normal(dist))
        for line in metadata.requires(dist) or []:
            req = Requirement(line)
            if req.marker is None or any(
                    req.marker.evaluate({"extra": extra}) for extra in (wanted or {""})):
                todo.append((req.name, frozenset(req.extras)))
    return seen


@pytest.mark.parametrize("service", SERVICES)
def test_what_an_image_installs_pulls_in_no_test_library(service):
    declared = tomllib.loads((REPO / "services" / service / "pyproject.toml").read_text())
    pulled = closure("servicekit") | closure(declared["project"]["name"])
    assert "servicekit" in pulled and "flask" in pulled  # the walk did read the metadata
    assert pulled & TEST_ONLY == set()


def test_the_dev_venv_does_install_the_testing_package():
    makefile = (REPO / "Makefile").read_text()
    assert "-e libs/servicekit-testing" in makefile
    assert "libs/servicekit-testing/pyproject.toml" in makefile  # rebuilt when it changes
    assert "pytest" in closure("servicekit-testing")  # and the walk above would see it


def test_the_build_context_leaves_every_test_folder_out():
    """The images COPY whole package folders; .dockerignore keeps their tests (and the test
    package, the cross-service suites and the benches) out of the build context."""
    ignored = {line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {"libs/servicekit-testing", "libs/servicekit/tests", "services/*/tests", "tests",
            "bench"} <= ignored
    shipped = [line for service in SERVICES
               for line in install_lines(REPO / "services" / service / "Dockerfile")
               if line.upper().startswith("COPY")]
    for line in shipped:  # every copied folder is one whose tests/ the patterns cover
        for source in line.split()[1:-1]:  # or a producer's AsyncAPI document
            assert source in ("constraints.txt", "libs/servicekit") or \
                re.fullmatch(r"services/[a-z]+(/asyncapi\.json)?", source), line
