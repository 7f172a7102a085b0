"""The API conventions servicekit sets for every service (README, "API conventions"): every
route of every service of the local stack's topology is walked, so a fifth service, or a new
route, that breaks a convention fails here.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest
import security_apps
from security_tokens import bearer, mint
from werkzeug.routing.converters import NumberConverter

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "deploy" / "local"))
from topology import SERVICES  # noqa: E402

pytestmark = pytest.mark.integration

BUILDERS = {
    "identity": lambda url, folder, _: security_apps.identity_app(url, folder),
    "notes": lambda url, folder, _: security_apps.notes_app(url, folder),
    "audit": lambda url, folder, _: security_apps.audit_app(url, folder),
    "docportal": lambda url, folder, request: security_apps.docportal_app(
        url, folder, request.getfixturevalue("seaweedfs"),
        request.getfixturevalue("mail_sink").url),
}
CALLED = ("GET", "POST", "PUT", "PATCH", "DELETE")


def test_every_service_of_the_topology_is_built_here():
    assert {s.name for s in SERVICES} == set(BUILDERS)


@pytest.fixture(params=[s.name for s in SERVICES])
def service(request, tmp_path):
    folder = tmp_path / request.param
    app = BUILDERS[request.param](f"sqlite:///{tmp_path / 'service.db'}", folder, request)
    yield app
    security_apps.close(app)


def every_call(app):
    """(method, path, endpoint) of every route the app serves, ids filled with random ones."""
    for rule in app.url_map.iter_rules():
        values = {name: 1 if isinstance(converter, NumberConverter) else str(uuid.uuid4())
                  for name, converter in rule._converters.items()}
        path = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods & set(CALLED)):
            yield method, path, rule.endpoint


def callers(app) -> dict[str, dict[str, str]]:
    """Anonymous, and a staff member with every permission (another service's token for
    identity, which trusts only its own keys: it answers 401, with the header all the same)."""
    return {"anonymous": {}, "member": bearer(mint(str(uuid.uuid4()), str(uuid.uuid4())))}


def test_no_answer_of_any_route_may_be_stored_by_a_cache(service):
    client, cached = service.test_client(), []
    for method, path, endpoint in every_call(service):
        for caller, headers in callers(service).items():
            response = client.open(path, method=method, headers=headers,
                                   json={} if method in ("POST", "PUT", "PATCH") else None)
            control = response.headers.get("Cache-Control", "")
            response.close()
            # A static stylesheet names nobody: it may be revalidated instead.
            if "no-store" not in control and not endpoint.endswith("static"):
                cached.append((method, path, caller, response.status_code, control))
    assert cached == []


# --- the OpenAPI documents ---------------------------------------------------------------

ERROR_SCHEMA_REF = "#/components/schemas/Error"


def operations(document):
    """(method, path, operation, path-level parameters) of every documented operation."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "patch", "delete"):
                yield method, path, operation, item.get("parameters", [])


def expected_errors(operation, path_parameters) -> set[str]:
    """The errors servicekit's machinery can answer for the operation (README: conventions)."""
    expected = set()
    if operation.get("security"):
        expected |= {"401", "403"}
    if any(p["in"] == "path" for p in path_parameters):
        expected.add("404")
    if "requestBody" in operation:
        expected |= {"400", "422"}
    if any(p.get("in") == "query" for p in operation.get("parameters", [])):
        expected.add("422")
    return expected


def resolved(document, response):
    name = response.get("$ref", "").rsplit("/", 1)[-1]
    return document["components"]["responses"][name] if name else response


def undocumented_walk_statuses(document, table) -> list[tuple]:
    """The refusals the authorization walk declares for an operation that its document lacks."""
    missing = []
    for (method, path), row in table.items():
        responses = document["paths"].get(path, {}).get(method.lower(), {}).get("responses", {})
        for status in {s for s in row.statuses.values() if s >= 400}:
            if str(status) not in responses:
                missing.append((method, path, status))
    return missing


def test_every_operation_documents_its_errors_in_the_shared_shape(service):
    document = service.test_client().get("/openapi.json").get_json()
    prefix = next(s.gateway_prefix for s in SERVICES if s.name == service.name)
    assert [server["url"] for server in document["servers"]] == [prefix]
    undocumented, unshaped = [], []
    for method, path, operation, path_parameters in operations(document):
        responses = operation["responses"]
        undocumented += [(method, path, status) for status in sorted(
            expected_errors(operation, path_parameters) - set(responses))]
        for status, response in responses.items():
            if status == "default" or int(status) >= 400:
                content = resolved(document, response).get("content", {}).get(
                    "application/json", {})
                if content.get("schema", {}).get("$ref") != ERROR_SCHEMA_REF or (
                        "code" not in content.get("example", {}).get("error", {})):
                    unshaped.append((method, path, status))
    assert undocumented == []
    assert unshaped == []


def test_the_refusals_the_walk_declares_are_documented(service):
    import walk_tables

    table = {"notes": walk_tables.NOTES, "docportal": walk_tables.DOCPORTAL,
             "audit": walk_tables.AUDIT}.get(service.name)
    if table is None:
        pytest.skip("identity's walk lives in its own tests")
    document = service.test_client().get("/openapi.json").get_json()
    assert undocumented_walk_statuses(document, table) == []
