# Fixtures for the real PostgreSQL and RabbitMQ of this machine, shared by every test folder.
import pytest

pytest_plugins = ["servicekit_testing.fixtures", "servicekit_testing.servers"]

# The end-to-end stack is a session fixture on fixed ports (8080, 8001-8004, ...), so it lives
# until the session ends. Tests that start a stack of their own on those ports (tests/faults)
# must therefore run before the first end-to-end test: end-to-end tests go last.
E2E_FOLDER = "tests/e2e/"


@pytest.hookimpl(trylast=True)  # after pytest has grouped the items by fixture parameter
def pytest_collection_modifyitems(config, items):  # noqa: ANN001, ANN201 - pytest hook
    e2e = [item for item in items if item.nodeid.startswith(E2E_FOLDER)]
    if e2e:
        items[:] = [item for item in items if not item.nodeid.startswith(E2E_FOLDER)] + e2e
