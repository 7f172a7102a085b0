"""The launcher's modules live in deploy/local (run as scripts, not a package): import them."""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAUNCHER_DIR = REPO / "deploy" / "local"

if str(LAUNCHER_DIR) not in sys.path:
    sys.path.insert(0, str(LAUNCHER_DIR))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
