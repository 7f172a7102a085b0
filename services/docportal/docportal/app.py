from flask import Flask

from docportal.config import DocportalConfig
from docportal.spec import SPEC
from servicekit.service import build_app


def create_app(config: DocportalConfig | None = None) -> Flask:
    return build_app(SPEC, config)
