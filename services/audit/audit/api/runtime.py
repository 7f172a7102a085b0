"""The app's runtime and config, as build_app attached them."""

from __future__ import annotations

from flask import current_app

from audit.config import AuditConfig
from servicekit.db import UnitOfWork
from servicekit.runtime import Runtime


def runtime() -> Runtime:
    return current_app.extensions["servicekit.runtime"]


def config() -> AuditConfig:
    return runtime().config  # type: ignore[return-value]


def uow() -> UnitOfWork:
    return runtime().uow()
