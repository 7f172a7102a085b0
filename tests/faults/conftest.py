"""Fault tests: private servers they may stop, and the small platform they run on.

The fixtures of servicekit.testing_private are imported here rather than registered in the
root conftest: only these tests start servers of their own.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from faultkit import Platform, show_logs_if_failed  # noqa: E402

from servicekit.testing_private import (  # noqa: E402, F401 - fixtures
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


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report

