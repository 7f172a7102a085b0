"""Identity's events: one definition each, and the AsyncAPI document generated from them."""

from pathlib import Path

import notes
from notes.events import CATALOG, TITLE
from servicekit.messaging.asyncapi import hand_built_events, render

PACKAGE = Path(notes.__file__).parent
REGENERATE = ("python -m servicekit.messaging.asyncapi notes.events "
              "services/notes/asyncapi.json")


def test_the_committed_asyncapi_document_is_what_the_definitions_generate():
    committed = (PACKAGE.parent / "asyncapi.json").read_text()
    assert committed == render(CATALOG, TITLE), f"stale; regenerate it: {REGENERATE}"


def test_no_event_is_built_by_hand():
    assert hand_built_events(PACKAGE) == [], "build events through notes.events"


def test_every_definition_names_its_subject():
    assert [d.type for d in CATALOG if d.subject is None] == []
