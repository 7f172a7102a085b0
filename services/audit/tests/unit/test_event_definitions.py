"""Identity's events: one definition each, and the AsyncAPI document generated from them."""

from pathlib import Path

import audit
from audit.events import CATALOG, TITLE
from servicekit.messaging.asyncapi import hand_built_events, render

PACKAGE = Path(audit.__file__).parent
REGENERATE = ("python -m servicekit.messaging.asyncapi audit.events "
              "services/audit/asyncapi.json")


def test_the_committed_asyncapi_document_is_what_the_definitions_generate():
    committed = (PACKAGE.parent / "asyncapi.json").read_text()
    assert committed == render(CATALOG, TITLE), f"stale; regenerate it: {REGENERATE}"


def test_no_event_is_built_by_hand():
    assert hand_built_events(PACKAGE) == [], "build events through audit.events"


def test_every_definition_names_its_subject():
    assert [d.type for d in CATALOG if d.subject is None] == []


def test_every_alert_step_the_domain_names_has_a_definition():
    from audit.domain.alert_status import STEPS
    from audit.events import definition_of

    assert {definition_of(step.event_type).type for step in STEPS.values()} == {
        "audit.alert.acknowledged", "audit.alert.resolved", "audit.alert.reopened"}
