"""Whose records a caller may read: one practice, or every practice (vendor security)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """One practice (``org_id``), or every practice (``all_practices``, ``org_id`` None)."""

    org_id: str | None
    all_practices: bool = False


EVERY_PRACTICE = Scope(None, all_practices=True)
