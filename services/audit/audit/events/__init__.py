"""Every event audit publishes, each defined once (servicekit.messaging.definitions).

``services/audit/asyncapi.json`` is generated from ``CATALOG`` (``python -m
servicekit.messaging.asyncapi audit.events services/audit/asyncapi.json``). The alert steps'
types are named in the domain (domain/alert_status.py, which knows no marshmallow); their
definitions are looked up here by type.
"""

from marshmallow import fields

from servicekit.messaging.definitions import (
    EventCatalog,
    EventDefinition,
    flag,
    state,
    text,
    texts,
    whole,
)

TITLE = "Clinic Platform audit events"

# Ids and codes only: the alert's message names a person, a person's note stays in history.
_ALERT = {"alert_id": text(), "reason": text(), "severity": text(),
          "profile_id": text(null=True)}


def _alert(verb: str, description: str, **data: fields.Field) -> EventDefinition:
    return EventDefinition(f"audit.alert.{verb}", description, subject="alert",
                           data={**_ALERT, **data})


ALERT_RAISED = _alert("raised", "Recognition (or the chain's verification) raised an alert.",
                      triggering_event_id=text())
ALERT_ACKNOWLEDGED = _alert("acknowledged", "Someone acknowledged an alert.",
                            acknowledged_by=text())
ALERT_RESOLVED = _alert("resolved", "A person resolved an alert, or the system did when a "
                        "later fact (triggering_event_id) disproved it.", resolved_by=text(),
                        triggering_event_id=text(null=True))
ALERT_REOPENED = _alert("reopened", "Someone reopened a resolved alert.", reopened_by=text())
BREACH_ASSESSMENT_CREATED = EventDefinition(
    "audit.breach_assessment.created", "A HIPAA breach assessment was made: ids, counts and "
    "dates only.", subject="breach_assessment", data={
        "assessment_id": text(), "discovered_on": text(), "affected_count": whole(),
        "reaches_500": flag(), "probability_of_compromise": text(),
        "notification_required": flag(), "due": state(), "media_states": texts(),
        "suspect_profiles": texts(), "content_hash": text()})
CHECKPOINT_SIGNED = EventDefinition(
    "audit.checkpoint.signed", "A signed checkpoint of one partition of the audit chain, for "
    "every reader of the bus (audit itself does not chain it).", subject="audit_partition",
    data={"partition": whole(), "seq": whole(), "head_hash": text(), "taken_at": text(),
          "key_id": text(), "signature": text()})

CATALOG = EventCatalog("audit", EventCatalog.collect(dict(globals())))


def definition_of(event_type: str) -> EventDefinition:
    """The definition of an event type audit names in its domain (the alert steps)."""
    found = CATALOG.get(event_type)
    if found is None:
        raise KeyError(f"{event_type} has no definition in audit.events")
    return found
