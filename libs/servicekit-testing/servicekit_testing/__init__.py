"""Test code shared by every test folder of the platform; never installed in an image.

- ``servicekit_testing.fixtures``: ``wait_for`` and the fixtures for this machine's real
  PostgreSQL (a fresh database per test) and RabbitMQ (a vhost per session or per test).
- ``servicekit_testing.servers``: a real SeaweedFS (S3) and an SMTP sink, ``free_port``.
- ``servicekit_testing.private``: RabbitMQ, PostgreSQL and a TCP proxy of a test's own, for
  fault tests that stop them (opt in with ``pytest_plugins``).

The root conftest.py loads ``fixtures`` and ``servers`` as pytest plugins. The runtime
package ``servicekit`` imports none of this (libs/servicekit/tests/unit/test_no_test_code.py).
"""
