"""The runtime package ships no test code: no pytest, no fixtures, no test servers.

Fixtures live in libs/servicekit-testing (package servicekit_testing), which only the dev
venv installs; every production image installs servicekit (docs/decisions.md).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import servicekit

PACKAGE = Path(servicekit.__file__).parent
PYPROJECT = PACKAGE.parent / "pyproject.toml"
# Test-only libraries: the test runner, the fixtures package, the SMTP sink, hypothesis.
# (boto3 is not one: notes and docportal use it at run time.)
TEST_ONLY = {"pytest", "_pytest", "servicekit_testing", "aiosmtpd", "hypothesis"}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def imported_roots(source: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(source.read_text(), str(source))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_module_of_the_runtime_package_imports_test_code():
    assert len(modules()) > 20, f"found too few modules under {PACKAGE}"
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(imported_roots(path) & TEST_ONLY)
        for path in modules() if imported_roots(path) & TEST_ONLY}
    assert offenders == {}, "test code belongs in libs/servicekit-testing"


def test_no_module_defines_a_fixture_or_a_test_module_name():
    for path in modules():
        assert not path.name.startswith(("test", "conftest")), path
        text = path.read_text()
        for marker in ("pytest.fixture", "pytest_plugins", "@fixture"):
            assert marker not in text, f"{path.relative_to(PACKAGE)} mentions {marker}"


def test_importing_every_module_loads_no_test_library():
    """What the modules import at run time, indirectly too (a clean interpreter)."""
    names = sorted(
        ".".join(("servicekit", *path.relative_to(PACKAGE).with_suffix("").parts))
        .removesuffix(".__init__") for path in modules())
    script = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(TEST_ONLY)!r})))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "[]"


def test_the_distribution_depends_on_no_test_library():
    declared = tomllib.loads(PYPROJECT.read_text())["project"]
    names = [*declared["dependencies"], *(
        req for extra in declared.get("optional-dependencies", {}).values() for req in extra)]
    roots = {name.split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip().lower()
             .replace("-", "_") for name in names}
    assert roots & TEST_ONLY == set()
    assert "servicekit_testing" not in roots
