from flask import Flask

from notes.config import NotesConfig
from notes.spec import SPEC
from servicekit.service import build_app


def create_app(config: NotesConfig | None = None) -> Flask:
    return build_app(SPEC, config)
