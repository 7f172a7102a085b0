"""Fault tests: private servers they may stop, and the small platform they run on.

The fixtures of servicekit_testing.private are imported here rather than registered in the
root conftest: only these tests start servers of their own.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from faultkit import Platform, show_logs_if_failed  # noqa: E402
from through_gateway import gateway_platform  # noqa: E402

from servicekit_testing.private import (  # noqa: E402, F401 - fixtures
    private_broker_url,
    private_postgres,
    private_rabbitmq,
    tcp_proxy,
)


@pytest.fixture
def platform(request, tmp_path, make_database, private_broker_url):  # noqa: F811
    """identity, notes and audit databases on the shared PostgreSQL, the private broker."""
    made = Platform(tmp_path, private_broker_url, {
        "identity": make_database(), "notes": make_database(), "audit": make_database()})
    made.migrate()
    yield made
    made.stop_all()
    show_logs_if_failed(request, made)


@pytest.fixture
def through_gateway(request, tmp_path, make_database, private_broker_url,  # noqa: F811
                    own_seaweedfs):
    """The whole platform (deploy/local/launch.py) behind nginx, on the private broker,
    fresh PostgreSQL databases and this test's own SeaweedFS."""
    databases = {s: make_database() for s in ("identity", "notes", "docportal", "audit")}
    folder = tmp_path / "stack"
    folder.mkdir()
    with gateway_platform(folder, private_broker_url, databases, own_seaweedfs) as made:
        yield made
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            print(f"\n--- stack.log (end)\n{(folder / 'stack.log').read_text()[-6000:]}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report

