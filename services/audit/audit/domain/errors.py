"""The base of audit's refusals.

Each refusal has a stable ``code`` (``api/errors.py`` maps each family to an HTTP status), a
message that tells the person what to do next, and ``details`` for the client.
"""

from __future__ import annotations

from typing import Any


class AuditError(Exception):
    """Base of every refusal of the audit service."""

    code = "audit_error"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})
