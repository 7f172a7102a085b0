"""The event envelope: one schema for every event on ``clinic.events``."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from servicekit.context import current_request_id

EVENT_TYPE = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"
ACTOR_KINDS = ("staff", "recipient", "automation", "vendor", "service", "system")


class InvalidEnvelope(ValueError):
    """A message body that is not a valid event envelope."""


@dataclass(frozen=True)
class Actor:
    id: str
    email: str | None = None
    kind: str = "staff"
    user_type: str | None = None


@dataclass(frozen=True)
class Subject:
    type: str
    id: str


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    version: int
    occurred_at: datetime
    producer: str
    org_id: str | None
    actor: Actor | None
    subject: Subject
    patient_id: str | None
    correlation_id: str | None
    data: dict[str, Any] = field(default_factory=dict)


class _ActorSchema(Schema):
    id = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    email = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=320))
    kind = fields.Str(required=True, validate=validate.OneOf(ACTOR_KINDS))
    user_type = fields.Str(load_default=None, allow_none=True)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Actor:
        return Actor(**data)


class _SubjectSchema(Schema):
    type = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    id = fields.Str(required=True, validate=validate.Length(min=1, max=64))

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Subject:
        return Subject(**data)


class EnvelopeSchema(Schema):
    id = fields.UUID(required=True)
    type = fields.Str(required=True, validate=validate.Regexp(EVENT_TYPE))
    version = fields.Int(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True)
    producer = fields.Str(required=True)
    org_id = fields.Str(required=True, allow_none=True)
    actor = fields.Nested(_ActorSchema, required=True, allow_none=True)
    subject = fields.Nested(_SubjectSchema, required=True)
    patient_id = fields.Str(required=True, allow_none=True)
    correlation_id = fields.Str(required=True, allow_none=True)
    data = fields.Dict(keys=fields.Str(), required=True)

    @validates_schema
    def _producer_owns_type(self, data: dict[str, Any], **_: Any) -> None:
        if data["type"].split(".", 1)[0] != data["producer"]:
            raise ValidationError("type must start with the producer's name", "type")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Event:
        data["id"] = str(data["id"])
        return Event(**data)


_schema = EnvelopeSchema()


def new_event(
    type: str,
    *,
    subject: Subject,
    org_id: str | None,
    data: dict[str, Any] | None = None,
    actor: Actor | None = None,
    patient_id: str | None = None,
    version: int = 1,
    correlation_id: str | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    """A new event; the producer is the type's first part, the correlation id the request's."""
    event = Event(
        id=str(uuid.uuid4()),
        type=type,
        version=version,
        occurred_at=occurred_at or datetime.now(UTC),
        producer=type.split(".", 1)[0],
        org_id=org_id,
        actor=actor,
        subject=subject,
        patient_id=patient_id,
        correlation_id=correlation_id or current_request_id(),
        data=data or {},
    )
    errors = _schema.validate(to_dict(event))
    if errors:
        raise InvalidEnvelope(f"event {type!r} is not valid: {errors}")
    return event


def to_dict(event: Event) -> dict[str, Any]:
    body = asdict(event)
    body["occurred_at"] = event.occurred_at.isoformat()
    return body


def encode_event(event: Event) -> str:
    # The same JSON as to_dict's, built without asdict's deep copy of every value: the
    # consumer encodes each event it stores, and the copy was most of that cost.
    actor = event.actor
    body = {
        "id": event.id, "type": event.type, "version": event.version,
        "occurred_at": event.occurred_at.isoformat(), "producer": event.producer,
        "org_id": event.org_id,
        "actor": None if actor is None else {
            "id": actor.id, "email": actor.email, "kind": actor.kind,
            "user_type": actor.user_type},
        "subject": {"type": event.subject.type, "id": event.subject.id},
        "patient_id": event.patient_id, "correlation_id": event.correlation_id,
        "data": event.data,
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True)


def decode_event(body: bytes | str | dict[str, Any]) -> Event:
    """Parse and validate a message body; raise ``InvalidEnvelope`` on anything malformed."""
    try:
        payload = json.loads(body) if isinstance(body, bytes | str) else body
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidEnvelope(f"body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise InvalidEnvelope("body is not a JSON object")
    try:
        event: Event = _schema.load(payload)
    except ValidationError as exc:
        raise InvalidEnvelope(f"envelope fields invalid: {exc.messages}") from None
    return event
