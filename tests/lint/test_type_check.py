"""The type check of `make lint`, run by CI too (CI runs only the tests).

mypy reads its settings from pyproject.toml: servicekit and every service's domain under
mypy's strict flags, the rest of the shipped packages checked in full. Its cache lives in
.mypy_cache at the top of the checkout; a fresh clone checks cold (under a minute here).
"""

import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = [ROOT / "libs/servicekit/servicekit",
           *(p for p in sorted((ROOT / "services").glob("*/*")) if (p / "__init__.py").exists())]
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?(?P<rest>.*)$")


def test_the_shipped_packages_type_check_clean() -> None:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                          text=True, timeout=280)
    took = time.monotonic() - started
    assert done.returncode == 0, (
        f"mypy (settings in pyproject.toml) found problems in {took:.0f} s; fix the code, or "
        f"see docs/contributing.md for when a type-ignore may stay:\n{done.stdout}{done.stderr}")


def test_every_type_ignore_names_its_error_and_says_why() -> None:
    unexplained = []
    for package in SHIPPED:
        for path in sorted(package.rglob("*.py")):
            lines = path.read_text().splitlines()
            for number, line in enumerate(lines, 1):
                found = IGNORE.search(line)
                if found is None:
                    continue
                # The reason follows on the line ("# type: ignore[code]  # why") or is the
                # comment right above it.
                said = "#" in found["rest"] or lines[number - 2].strip().startswith("#")
                if not found["codes"] or not said:
                    unexplained.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not unexplained, (
        "Each type-ignore names the error it silences and says why it stays "
        "(`# type: ignore[code]  # reason`):\n" + "\n".join(unexplained))
