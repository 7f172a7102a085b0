"""Request body schemas every service shares."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, validates_schema

#: The largest integer a 64-bit column holds (PostgreSQL bigint, SQLite integer). A cursor
#: or position above it is refused as invalid input instead of overflowing in the driver.
MAX_STORED_INT = 2**63 - 1


class ChangeSchema(Schema):
    """The body of a PATCH: every field optional, but an empty change is refused (422)
    rather than written as an update that changes nothing."""

    @validates_schema
    def _changes_something(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            fields = ", ".join(sorted(n for n, f in self.fields.items() if not f.dump_only))
            raise ValidationError(f"Send at least one field to change: {fields}.")
