"""Fixtures of docportal's tests; SeaweedFS and the mail sink come from servicekit."""

from __future__ import annotations

import uuid

import pytest

from servicekit_testing.servers import MailSink, SeaweedFS, free_port, start_seaweedfs

__all__ = ["MailSink", "SeaweedFS", "free_port", "start_seaweedfs"]


@pytest.fixture
def new_id():
    return lambda: str(uuid.uuid4())
