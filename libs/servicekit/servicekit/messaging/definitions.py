"""Event definitions: each event type is defined once, by its producer.

A definition names the type, its version and the schema of ``data``; producers build their
events only through it (``USER_CREATED.event(...)``), so the data is checked where it is made.
A service lists its definitions in one ``EventCatalog``, from which its AsyncAPI document is
generated (servicekit.messaging.asyncapi); consumers check incoming data against the
committed documents (servicekit.messaging.contracts), never by importing the producer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from marshmallow import RAISE, Schema, fields

from servicekit.messaging.envelope import EVENT_TYPE, Actor, Event, Subject, new_event


class InvalidEventData(ValueError):
    """An event's data does not match its definition (a bug in the producer)."""


@dataclass(frozen=True)
class EventDefinition:
    """One event type: ``type``, ``version``, the fields of ``data`` and what it means."""

    type: str
    description: str
    data: Mapping[str, fields.Field[Any]] = field(default_factory=dict)
    version: int = 1
    subject: str | None = None  # the subject's type, when the event always has the same one
    schema: Schema = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not re.match(EVENT_TYPE, self.type):
            raise ValueError(f"{self.type!r} is not <producer>.<entity>.<past-tense verb>")
        name = "".join(part.title() for part in re.split(r"[._]", self.type)) + "Data"
        schema = Schema.from_dict(dict(self.data), name=name)(unknown=RAISE)
        object.__setattr__(self, "schema", schema)

    @property
    def producer(self) -> str:
        return self.type.split(".", 1)[0]

    def check(self, data: Mapping[str, Any]) -> None:
        """Raise ``InvalidEventData`` unless ``data`` is what this definition says."""
        errors = self.schema.validate(data)
        if errors:
            raise InvalidEventData(f"{self.type} v{self.version}: data does not match its "
                                   f"definition: {errors}")

    def event(
        self,
        *,
        subject: Subject,
        org_id: str | None,
        data: Mapping[str, Any] | None = None,
        actor: Actor | None = None,
        patient_id: str | None = None,
        correlation_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> Event:
        """A new event of this type, its data checked against the definition."""
        data = dict(data or {})
        self.check(data)
        if self.subject is not None and subject.type != self.subject:
            raise InvalidEventData(f"{self.type}: the subject is a {self.subject}, "
                                   f"not a {subject.type}")
        return new_event(self.type, subject=subject, org_id=org_id, data=data, actor=actor,
                         patient_id=patient_id, version=self.version,
                         correlation_id=correlation_id, occurred_at=occurred_at)


class EventCatalog:
    """Every event type one producer emits, each defined once."""

    def __init__(self, producer: str, definitions: Iterable[EventDefinition]) -> None:
        self.producer = producer
        self._by_key: dict[tuple[str, int], EventDefinition] = {}
        for definition in definitions:
            if definition.producer != producer:
                raise ValueError(f"{definition.type} is not an event of {producer}")
            key = (definition.type, definition.version)
            if key in self._by_key:
                raise ValueError(f"{definition.type} v{definition.version} is defined twice")
            self._by_key[key] = definition

    def __iter__(self) -> Iterator[EventDefinition]:
        return iter(sorted(self._by_key.values(), key=lambda d: (d.type, d.version)))

    def __len__(self) -> int:
        return len(self._by_key)

    def __contains__(self, event_type: object) -> bool:
        return any(key[0] == event_type for key in self._by_key)

    def get(self, event_type: str, version: int = 1) -> EventDefinition | None:
        return self._by_key.get((event_type, version))

    @staticmethod
    def collect(namespace: Mapping[str, Any]) -> list[EventDefinition]:
        """The definitions among a module's names (``EventCatalog(p, collect(vars(m)))``)."""
        return [value for value in namespace.values() if isinstance(value, EventDefinition)]


# Short names for the fields event data is made of; ``optional`` fields may be left out,
# ``null`` ones may be None.
def text(*, optional: bool = False, null: bool = False, **kw: Any) -> fields.Field[Any]:
    return fields.Str(required=not optional, allow_none=null, **kw)


def whole(*, optional: bool = False, null: bool = False) -> fields.Field[Any]:
    return fields.Int(required=not optional, allow_none=null, strict=True)


def flag(*, optional: bool = False, null: bool = False) -> fields.Field[Any]:
    return fields.Bool(required=not optional, allow_none=null)


def moment(*, optional: bool = False, null: bool = False) -> fields.Field[Any]:
    return fields.DateTime(required=not optional, allow_none=null)


def texts(*, optional: bool = False) -> fields.Field[Any]:
    return fields.List(fields.Str(), required=not optional)


def state(*, optional: bool = False, null: bool = False) -> fields.Field[Any]:
    """A snapshot of settings or facts (``before`` / ``after``) whose keys vary."""
    return fields.Dict(keys=fields.Str(), required=not optional, allow_none=null)


def record(named: Mapping[str, fields.Field[Any]], *, optional: bool = False, null: bool = False,
           many: bool = False) -> fields.Field[Any]:
    nested = Schema.from_dict(dict(named))
    if many:
        return fields.List(fields.Nested(nested), required=not optional, allow_none=null)
    return fields.Nested(nested, required=not optional, allow_none=null)
