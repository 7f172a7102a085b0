"""A producer's AsyncAPI 3.0 document, generated from its event catalog.

Each event type is a channel on the ``clinic.events`` exchange whose address is the routing
key (the type) and whose one message carries the envelope, with ``data`` described by the
definition. The document is committed as ``services/<name>/asyncapi.json`` (JSON is YAML);
``python -m servicekit.messaging.asyncapi <module> <path>`` rewrites it, and each service's
tests fail while the committed one differs from what its definitions generate.
"""

from __future__ import annotations

import ast
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from marshmallow import Schema, fields, validate

from servicekit.messaging.definitions import EventCatalog, EventDefinition
from servicekit.messaging.envelope import ACTOR_KINDS

EXCHANGE = "clinic.events"

_SCALARS: list[tuple[type[fields.Field[Any]], dict[str, Any]]] = [
    (fields.UUID, {"type": "string", "format": "uuid"}),
    (fields.Email, {"type": "string", "format": "email"}),
    (fields.DateTime, {"type": "string", "format": "date-time"}),
    (fields.Date, {"type": "string", "format": "date"}),
    (fields.String, {"type": "string"}),
    (fields.Boolean, {"type": "boolean"}),
    (fields.Integer, {"type": "integer"}),
    (fields.Number, {"type": "number"}),
]


def field_schema(field: fields.Field[Any]) -> dict[str, Any]:
    """The JSON Schema of one marshmallow field (the kinds event data uses)."""
    schema: dict[str, Any]
    if isinstance(field, fields.Nested):
        nested = field.schema
        schema = object_schema(nested.fields)
        if field.many:
            schema = {"type": "array", "items": schema}
    elif isinstance(field, fields.List):
        schema = {"type": "array", "items": field_schema(field.inner)}
    elif isinstance(field, fields.Dict):
        schema = {"type": "object"}
        if field.value_field is not None:
            schema["additionalProperties"] = field_schema(field.value_field)
    else:
        schema = next((dict(s) for kind, s in _SCALARS if isinstance(field, kind)), {})
    for rule in field.validators:
        if isinstance(rule, validate.OneOf):
            schema["enum"] = list(rule.choices)
        elif isinstance(rule, validate.Length) and schema.get("type") == "string":
            schema.update({k: v for k, v in (("minLength", rule.min), ("maxLength", rule.max))
                           if v is not None})
    if field.allow_none and "type" in schema:
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    if field.metadata.get("description"):
        schema["description"] = field.metadata["description"]
    return schema


def object_schema(named: dict[str, fields.Field[Any]]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {f.data_key or name: field_schema(f) for name, f in sorted(named.items())},
        "additionalProperties": False,
    }
    required = sorted(f.data_key or name for name, f in named.items() if f.required)
    if required:
        schema["required"] = required
    return schema


def data_schema(definition: EventDefinition) -> dict[str, Any]:
    schema: Schema = definition.schema
    return object_schema(schema.fields)


def _envelope(definition: EventDefinition) -> dict[str, Any]:
    nullable_string = {"type": ["string", "null"]}
    subject: dict[str, Any] = {"type": "string"}
    if definition.subject:
        subject = {"const": definition.subject}
    return {
        "type": "object",
        "required": ["id", "type", "version", "occurred_at", "producer", "org_id", "actor",
                     "subject", "patient_id", "correlation_id", "data"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "type": {"const": definition.type},
            "version": {"const": definition.version},
            "occurred_at": {"type": "string", "format": "date-time"},
            "producer": {"const": definition.producer},
            "org_id": nullable_string,
            "actor": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Actor"}]},
            "subject": {"type": "object", "required": ["type", "id"],
                        "properties": {"type": subject, "id": {"type": "string"}}},
            "patient_id": nullable_string,
            "correlation_id": nullable_string,
            "data": data_schema(definition),
        },
    }


def _key(definition: EventDefinition) -> str:
    name = definition.type.replace(".", "_")
    return name if definition.version == 1 else f"{name}_v{definition.version}"


def document(catalog: EventCatalog, title: str, version: str = "1.0.0") -> dict[str, Any]:
    """The AsyncAPI 3.0 document of everything ``catalog``'s producer sends."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for definition in catalog:
        key = _key(definition)
        messages[key] = {
            "name": definition.type,
            "title": f"{definition.type} v{definition.version}",
            "summary": definition.description,
            "contentType": "application/json",
            "payload": _envelope(definition),
            "bindings": {"amqp": {"bindingVersion": "0.3.0"}},
        }
        channels[key] = {
            "address": definition.type,
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
            "bindings": {"amqp": {"is": "routingKey", "bindingVersion": "0.3.0",
                                  "exchange": {"name": EXCHANGE, "type": "topic",
                                               "durable": True, "autoDelete": False}}},
        }
        operations[f"send_{key}"] = {"action": "send",
                                     "channel": {"$ref": f"#/channels/{key}"}}
    actor = {"type": "object", "required": ["id", "kind"], "properties": {
        "id": {"type": "string"}, "email": {"type": ["string", "null"]},
        "kind": {"enum": list(ACTOR_KINDS)}, "user_type": {"type": ["string", "null"]}}}
    return {
        "asyncapi": "3.0.0",
        "info": {"title": title, "version": version,
                 "description": f"The events {catalog.producer} publishes on {EXCHANGE}; "
                                "generated from its event definitions, do not edit."},
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": {"Actor": actor}},
    }


def render(catalog: EventCatalog, title: str) -> str:
    return json.dumps(document(catalog, title), indent=2, sort_keys=True) + "\n"


def hand_built_events(package: Path) -> list[str]:
    """Where ``package`` builds an event by hand: ``new_event(...)`` anywhere, or an
    ``EventDefinition(...)`` outside its ``events`` module (so outside its catalog)."""
    found = []
    for path in sorted(package.rglob("*.py")):
        in_events = path.relative_to(package).parts[0] in ("events", "events.py")
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name == "new_event" or (name == "EventDefinition" and not in_events):
                found.append(f"{path.relative_to(package.parent)}:{node.lineno} {name}")
    return found


def main(argv: list[str] | None = None) -> int:
    """``python -m servicekit.messaging.asyncapi <module> <path>``: write the document."""
    module_name, path = (argv if argv is not None else sys.argv[1:])[:2]
    module = importlib.import_module(module_name)
    Path(path).write_text(render(module.CATALOG, module.TITLE))
    print(f"wrote {path}: {len(module.CATALOG)} event types")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
