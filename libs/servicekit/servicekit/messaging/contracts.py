"""What a consumer checks incoming events against: the producers' committed AsyncAPI documents.

Services never import each other, so a consumer does not see the producer's definitions;
it reads the documents generated from them (``services/<producer>/asyncapi.json``, copied
into each image). An event whose type and version a document describes must carry the data
it says: required fields present, each of its type. Fields the document does not name are let
through (a producer may add one before every consumer has its new document); a type or
version no document describes passes unchecked (audit records every event).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from servicekit.messaging.envelope import Event

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "object": (dict,), "array": (list, tuple), "null": (type(None),),
}


class OffContract(ValueError):
    """An event whose data is not what its producer's document says."""


def problems(value: Any, schema: Mapping[str, Any], where: str = "data") -> list[str]:
    """Where ``value`` breaks ``schema`` (the JSON Schema subset the generator writes)."""
    kinds = schema.get("type")
    if kinds is not None:
        allowed = (kinds,) if isinstance(kinds, str) else tuple(kinds)
        ok = any(isinstance(value, _TYPES[k]) and not (k in ("integer", "number")
                                                        and isinstance(value, bool))
                 for k in allowed)
        if not ok:
            return [f"{where}: expected {'/'.join(allowed)}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: not one of {schema['enum']}"]
    found: list[str] = []
    if isinstance(value, dict):
        found += [f"{where}.{name}: missing" for name in schema.get("required", ())
                  if name not in value]
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            if name in properties:
                found += problems(item, properties[name], f"{where}.{name}")
            elif isinstance(extra, dict):
                found += problems(item, extra, f"{where}.{name}")
    elif isinstance(value, list | tuple) and "items" in schema:
        for index, item in enumerate(value):
            found += problems(item, schema["items"], f"{where}[{index}]")
    return found


class ContractBook:
    """The data schema of every (type, version) the loaded documents describe."""

    def __init__(self, documents: Iterable[Mapping[str, Any]] = ()) -> None:
        self._data: dict[tuple[str, int], Mapping[str, Any]] = {}
        for doc in documents:
            for message in doc.get("components", {}).get("messages", {}).values():
                envelope = message["payload"]["properties"]
                key = (envelope["type"]["const"], envelope["version"]["const"])
                self._data[key] = envelope["data"]

    @classmethod
    def from_directory(cls, services: Path) -> ContractBook:
        """The documents at ``services/*/asyncapi.json``."""
        paths = sorted(services.glob("*/asyncapi.json")) if services.is_dir() else []
        return cls(json.loads(path.read_text()) for path in paths)

    def __len__(self) -> int:
        return len(self._data)

    def describes(self, event_type: str, version: int = 1) -> bool:
        return (event_type, version) in self._data

    def check(self, event: Event) -> None:
        """Raise ``OffContract`` when a described event's data breaks its document."""
        schema = self._data.get((event.type, event.version))
        if schema is None:
            return
        found = problems(event.data, schema)
        if found:
            raise OffContract(f"{event.type} v{event.version}: " + "; ".join(found[:5]))


def services_directory() -> Path:
    """Where the documents are: ``EVENT_CONTRACTS_DIR``, or this checkout's (image's) services/."""
    configured = os.environ.get("EVENT_CONTRACTS_DIR")
    if configured:
        return Path(configured)
    # libs/servicekit/servicekit/messaging/contracts.py -> the checkout (or /app in an image)
    return Path(__file__).resolve().parents[4] / "services"


_default: ContractBook | None = None


def default_book() -> ContractBook:
    """The documents of this checkout, read once per process."""
    global _default
    if _default is None:
        _default = ContractBook.from_directory(services_directory())
    return _default
