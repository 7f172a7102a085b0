from flask import Flask

from identity.config import IdentityConfig
from identity.spec import SPEC
from servicekit.service import build_app


def create_app(config: IdentityConfig | None = None) -> Flask:
    return build_app(SPEC, config)
