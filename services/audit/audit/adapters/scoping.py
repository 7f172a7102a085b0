"""A query narrowed to the caller's scope: one practice's rows, or every practice's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from audit.domain.scope import Scope


def scoped(query: Select, scope: Scope, org_column: Any) -> Select:
    return query if scope.all_practices else query.where(org_column == scope.org_id)
