from flask import Flask

from audit.config import AuditConfig
from audit.spec import SPEC
from servicekit.service import build_app


def create_app(config: AuditConfig | None = None) -> Flask:
    return build_app(SPEC, config)
