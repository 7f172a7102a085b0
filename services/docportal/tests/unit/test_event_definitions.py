"""Identity's events: one definition each, and the AsyncAPI document generated from them."""

from pathlib import Path

import docportal
from docportal.events import CATALOG, TITLE
from servicekit.messaging.asyncapi import hand_built_events, render

PACKAGE = Path(docportal.__file__).parent
REGENERATE = ("python -m servicekit.messaging.asyncapi docportal.events "
              "services/docportal/asyncapi.json")


def test_the_committed_asyncapi_document_is_what_the_definitions_generate():
    committed = (PACKAGE.parent / "asyncapi.json").read_text()
    assert committed == render(CATALOG, TITLE), f"stale; regenerate it: {REGENERATE}"


def test_no_event_is_built_by_hand():
    assert hand_built_events(PACKAGE) == [], "build events through docportal.events"


def test_every_definition_names_its_subject():
    assert [d.type for d in CATALOG if d.subject is None] == []
