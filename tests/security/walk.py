"""The cross-service authorization walk: every (method, path) of an app with every caller.

Each operation has a declared rule (`rule(...)`): the member's status, the permissions whose
absence refuses a staff member, and what the other kinds of account get. From it the walk
expects the exact status of every caller:

- anonymous: no token (401)
- member: practice A's owner, every permission (the control that each seeded object is real)
- lacks_<permission>: the same owner's token with exactly that one permission taken away,
  one caller per permission: 403 where the rule `needs` it, the member's status elsewhere
- intruder: another practice's owner, every permission: A's ids answer 404/403, never data
- recipient: a document portal recipient (kind recipient, no practice, no permission)
- vendor_no_grant: vendor staff signed in to no practice (kind vendor, no org, no permission)
- automation: the practice's automation profile (kind automation, its profile's permissions)
- vendor: vendor support under an active grant in practice A (kind vendor, org A,
  view_patients), as identity issues it                                     [HOOK: see below]
- service: practice A's service account (kind service, org A, its scope's permissions),
  as identity's client-credentials grant issues it                          [HOOK: see below]

HOOKS. `vendor` and `service` (`HOOKED_KINDS`) are kinds still being rolled out across the
services. Their expected statuses are declared per row like any other kind (default 403: kind
not allowed), so a service that starts accepting them must say where in its table: pass
`vendor=` / `service=` to that row's `rule(...)` (audit's rows already accept `service`).
Their tokens are minted in test_authorization_walk.caller_perms with the claims identity
issues them.

The walk records: a status other than the declared one (an "unexpected allow" when a refusal
was declared and the call got through), a practice-A id in a 2xx answer to the intruder that
it did not send itself, a 2xx answer to the intruder on a route that reads or writes one of
A's objects, and patient details in a 2xx answer to a caller without view_patients.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from security_tokens import ALL_PERMISSIONS

LACKING = tuple(f"lacks_{permission}" for permission in ALL_PERMISSIONS)
HOOKED_KINDS = ("vendor", "service")
OTHER_KINDS = ("recipient", "vendor_no_grant", "automation", *HOOKED_KINDS)
CALLERS = ("anonymous", "member", *LACKING, "intruder", *OTHER_KINDS)
INTRUDER = "intruder"
NOT_YOURS = 404  # another practice's record looks like no record at all


def rule(ok: int, needs: Collection[str] = (), *, intruder: int = NOT_YOURS,
         **by_caller: int) -> dict[str, int]:
    """The declared statuses of one operation for every caller.

    `ok`: the member's status. `needs`: the permissions without which a staff member of the
    practice is refused (403), whether a decorator or the domain refuses. `intruder`: another
    practice's owner. Every other kind (recipient, vendor_no_grant, automation, vendor,
    service) gets 403 unless named in `by_caller`; anonymous gets 401.
    """
    unknown = (set(needs) - set(ALL_PERMISSIONS)) | (set(by_caller) - set(CALLERS))
    assert not unknown, unknown
    statuses = {"anonymous": 401, "member": ok, INTRUDER: intruder,
                **dict.fromkeys(OTHER_KINDS, 403)}
    for permission, caller in zip(ALL_PERMISSIONS, LACKING, strict=True):
        statuses[caller] = 403 if permission in needs else ok
    return {**statuses, **by_caller}


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
    unexpected_allows: list[tuple] = field(default_factory=list)
    leaks: list[tuple] = field(default_factory=list)
    cross_practice: list[tuple] = field(default_factory=list)
    phi_without_view_patients: list[tuple] = field(default_factory=list)
    bad_error_shape: list[tuple] = field(default_factory=list)
    calls: int = 0


@dataclass(frozen=True)
class Caller:
    """One caller of the walk: its name, its request headers, and whether it may see PHI."""

    name: str
    headers: dict[str, str]
    views_patients: bool


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


def walk_caller(client, table: dict[tuple[str, str], Row], caller: Caller,
                records: dict[str, str], secrets: set[str], phi: set[str],
                result: WalkResult) -> None:
    """Send every row once as `caller`; `secrets` are practice A's ids and names, `phi` the
    seeded patients' details (names, dates of birth, clinical text, file names)."""
    for (method, path), row in table.items():
        url = row.url.format(**records)
        options = request_options(row, records)
        response = client.open(url, method=method, headers=caller.headers, **options)
        result.calls += 1
        status, declared = response.status_code, row.statuses[caller.name]
        if status != declared:
            result.wrong_status.append((caller.name, method, path, declared, status,
                                        response.get_data()[:300]))
            if declared >= 400 and status < 400:
                result.unexpected_allows.append((caller.name, method, path, status))
        if status >= 400:
            body = response.get_json(silent=True) or {}
            if set(body.get("error", {})) != {"code", "message", "details"}:
                result.bad_error_shape.append((caller.name, method, path, status))
            continue
        sent = url + json.dumps(options.get("json"), default=str) + str(options.get("data"))
        text = response.get_data().decode("utf-8", "replace")
        if not caller.views_patients:
            shown = sorted(s for s in phi if s in text and s not in sent)
            if shown:
                result.phi_without_view_patients.append((caller.name, method, path, shown))
        if caller.name != INTRUDER or status >= 300:
            continue
        if row.object_route:
            result.cross_practice.append((method, path, status))
        shown = sorted(s for s in secrets if s in text and s not in sent)
        if shown:
            result.leaks.append((method, path, shown))


def assert_table_covers(client, table: dict[tuple[str, str], Row]) -> None:
    served = served_operations(client)
    assert served - set(table) == set(), "endpoints without an expected status per caller"
    assert set(table) - served == set(), "rows for endpoints the app no longer serves"


def assert_every_caller_declared(table: dict[tuple[str, str], Row]) -> None:
    """No row may leave a caller to chance: each names a status for each kind of caller."""
    undeclared = {key: sorted(set(CALLERS) - set(row.statuses)) for key, row in table.items()
                  if set(CALLERS) - set(row.statuses)}
    assert undeclared == {}, undeclared


def events_by(app_outbox: list[dict], actor_id: str, org_id: str) -> list[dict]:
    """Events the intruder caused in practice A (a cross-practice write), from an outbox."""
    return [e for e in app_outbox
            if (e.get("actor") or {}).get("id") == actor_id and e.get("org_id") == org_id]


def assert_clean(result: WalkResult) -> None:
    assert result.unexpected_allows == [], "\n".join(map(str, result.unexpected_allows))
    assert result.wrong_status == [], "\n".join(map(str, result.wrong_status))
    assert result.bad_error_shape == []
    assert len(result.cross_practice) == 0, result.cross_practice
    assert len(result.leaks) == 0, result.leaks
    assert result.phi_without_view_patients == [], result.phi_without_view_patients
