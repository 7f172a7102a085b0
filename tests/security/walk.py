"""The cross-service authorization walk: every (method, path) of an app with every caller.

A table row names the exact status for each caller. The walk records three kinds of
failure: a status other than the row's, a practice-A id in a 2xx answer to the intruder
(another practice's staff) that the intruder did not send itself, and a 2xx answer to the
intruder on a route that reads or writes one of practice A's objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CALLERS = ("anonymous", "no_permission", "member", "intruder", "recipient", "automation",
           "vendor")
INTRUDER = "intruder"


def expected(default: int, **by_caller: int) -> dict[str, int]:
    """Statuses per caller: anonymous 401; other kinds than staff `default` unless named."""
    unknown = set(by_caller) - set(CALLERS)
    assert not unknown, unknown
    return {caller: by_caller.get(caller, 401 if caller == "anonymous" else default)
            for caller in CALLERS}


@dataclass(frozen=True)
class Row:
    """One endpoint: the URL and body to send (placeholders from the seeded records)."""

    url: str
    statuses: dict[str, int]
    body: dict | Callable[[dict[str, str]], dict[str, Any]] | None = None
    # The route reads or changes one of practice A's objects named in the URL or body.
    object_route: bool = True


@dataclass
class WalkResult:
    wrong_status: list[tuple] = field(default_factory=list)
    leaks: list[tuple] = field(default_factory=list)
    cross_practice: list[tuple] = field(default_factory=list)
    bad_error_shape: list[tuple] = field(default_factory=list)
    calls: int = 0


def served_operations(client) -> set[tuple[str, str]]:
    spec = client.get("/openapi.json").get_json()
    return {(method.upper(), path) for path, operations in spec["paths"].items()
            for method in operations if method not in ("parameters", "head", "options")}


def fill(value: Any, records: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: fill(v, records) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, records) for v in value]
    return value.format(**records) if isinstance(value, str) else value


def request_options(row: Row, records: dict[str, str]) -> dict[str, Any]:
    if callable(row.body):
        return row.body(records)
    return {"json": fill(row.body, records)} if row.body is not None else {}


def walk_caller(client, table: dict[tuple[str, str], Row], caller: str,
                headers: dict[str, str], records: dict[str, str], secrets: set[str],
                result: WalkResult) -> None:
    """Send every row once as `caller`; `secrets` are practice A's ids and names."""
    for (method, path), row in table.items():
        url = row.url.format(**records)
        options = request_options(row, records)
        response = client.open(url, method=method, headers=headers, **options)
        result.calls += 1
        status = response.status_code
        if status != row.statuses[caller]:
            result.wrong_status.append((caller, method, path, row.statuses[caller], status,
                                        response.get_data()[:300]))
        if status >= 400:
            body = response.get_json(silent=True) or {}
            if set(body.get("error", {})) != {"code", "message", "details"}:
                result.bad_error_shape.append((caller, method, path, status))
        if caller != INTRUDER or status >= 300:
            continue
        if row.object_route:
            result.cross_practice.append((method, path, status))
        sent = url + json.dumps(options.get("json"), default=str) + str(options.get("data"))
        text = response.get_data().decode("utf-8", "replace")
        shown = sorted(s for s in secrets if s in text and s not in sent)
        if shown:
            result.leaks.append((method, path, shown))


def assert_table_covers(client, table: dict[tuple[str, str], Row]) -> None:
    served = served_operations(client)
    assert served - set(table) == set(), "endpoints without an expected status per caller"
    assert set(table) - served == set(), "rows for endpoints the app no longer serves"


def events_by(app_outbox: list[dict], actor_id: str, org_id: str) -> list[dict]:
    """Events the intruder caused in practice A (a cross-practice write), from an outbox."""
    return [e for e in app_outbox
            if (e.get("actor") or {}).get("id") == actor_id and e.get("org_id") == org_id]


def assert_clean(result: WalkResult) -> None:
    assert result.wrong_status == [], "\n".join(map(str, result.wrong_status))
    assert result.bad_error_shape == []
    assert len(result.cross_practice) == 0, result.cross_practice
    assert len(result.leaks) == 0, result.leaks
