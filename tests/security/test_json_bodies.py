"""Every JSON operation of the four services refuses a deeply nested body (400), an oversized
one (413) and invalid JSON (400) with the shared JSON error, before any view runs: never a
5xx, public routes (/logout, /token/refresh) included."""

from __future__ import annotations

import json
import re
import uuid

import pytest
import security_apps

from servicekit.web.json_guard import MAX_JSON_BYTES, MAX_JSON_DEPTH

pytestmark = pytest.mark.integration

PATH_PARAMETER = re.compile(r"\{[^}]+\}")
BODY_METHODS = {"post", "put", "patch", "delete"}


@pytest.fixture
def apps(tmp_path, seaweedfs, mail_sink):
    def sqlite(name: str) -> str:
        return f"sqlite:///{tmp_path / f'{name}.db'}"

    built = {
        "identity": security_apps.identity_app(sqlite("identity"), tmp_path / "identity"),
        "notes": security_apps.notes_app(sqlite("notes"), tmp_path / "notes"),
        "docportal": security_apps.docportal_app(sqlite("docportal"), tmp_path / "docportal",
                                                 seaweedfs, mail_sink.url),
        "audit": security_apps.audit_app(sqlite("audit"), tmp_path / "audit"),
    }
    yield built
    for app in built.values():
        security_apps.close(app)


def json_operations(app) -> list[tuple[str, str]]:
    """(method, concrete path) of every operation whose OpenAPI request body is JSON."""
    spec = app.extensions["servicekit.api"].spec.to_dict()
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in BODY_METHODS:
                continue  # also "parameters", shared by the path's operations
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                found.append((method.upper(), PATH_PARAMETER.sub(str(uuid.uuid4()), path)))
    return found


def body_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every route that takes a body, documented or not (the portal's)."""
    found = []
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:>]+:)?[^>]+>", "x" * 43, rule.rule)
        found += [(method, path) for method in sorted((rule.methods or set()) & {
            "POST", "PUT", "PATCH", "DELETE"})]
    return found


DEEP = '{"note": ' + "[" * 50_000 + "]" * 50_000 + "}"
JUST_TOO_DEEP = json.dumps({"a": json.loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)})
OVERSIZED = json.dumps({"note": "x" * MAX_JSON_BYTES})
PROBES = {  # body -> (status, codes); an app whose own limit is lower says payload_too_large
    DEEP: (400, {"json_too_deep"}),
    JUST_TOO_DEEP: (400, {"json_too_deep"}),
    OVERSIZED: (413, {"json_too_large", "payload_too_large"}),
    '{"note": [1, 2': (400, {"invalid_json"}),
}


def answer(app, method: str, path: str, body: str) -> tuple[int, str | None]:
    response = app.test_client().open(path, method=method, data=body,
                                      content_type="application/json")
    error = (response.get_json(silent=True) or {}).get("error")
    if not isinstance(error, dict) or set(error) != {"code", "message", "details"}:
        return response.status_code, None
    return response.status_code, error["code"]


def test_every_json_operation_refuses_unreadable_bodies_with_a_json_4xx(apps):
    operations = {name: json_operations(app) for name, app in apps.items()}
    assert all(operations.values()), operations  # each service documents JSON operations
    assert sum(map(len, operations.values())) >= 24
    assert ("POST", "/logout") in operations["identity"]
    assert ("POST", "/token/refresh") in operations["identity"]
    wrong = []
    for name, app in apps.items():
        for method, path in operations[name]:
            for body, (status, codes) in PROBES.items():
                got = answer(app, method, path, body)
                if got[0] != status or got[1] not in codes:
                    wrong.append((name, method, path, len(body), got))
    assert wrong == []


def test_every_route_that_takes_a_body_never_answers_a_deep_json_body_with_5xx(apps):
    wrong = []
    for name, app in apps.items():
        for method, path in body_routes(app):
            status, _ = answer(app, method, path, DEEP)
            if status >= 500 or status < 400:
                wrong.append((name, method, path, status))
    assert wrong == []


def test_a_body_at_the_limits_still_reaches_the_view(apps):
    deep_enough = json.dumps({"refresh_token": "x", "extra": json.loads(
        "[" * (MAX_JSON_DEPTH - 2) + "]" * (MAX_JSON_DEPTH - 2))})
    status, code = answer(apps["identity"], "POST", "/token/refresh", deep_enough)
    assert (status, code) != (400, "json_too_deep")
    assert status < 500
