"""Every service's OpenAPI document is one a client generator (and schemathesis) can read:
numeric bounds are numbers, and every schema keyword of the JSON Schema subset is well typed."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

NUMERIC = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
COUNTS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")


def badly_typed(node, where: str = "#"):
    """(path, keyword, value) of each bound that is not a number where the schema needs one."""
    if isinstance(node, dict):
        for key, value in node.items():
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            count = isinstance(value, int) and not isinstance(value, bool) and value >= 0
            if (key in NUMERIC and not number) or (key in COUNTS and not count):
                yield f"{where}/{key}", value
            else:
                yield from badly_typed(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from badly_typed(item, f"{where}/{i}")


def assert_well_typed(app) -> None:
    document = app.test_client().get("/openapi.json").get_json()
    assert list(badly_typed(document)) == []


def test_identitys_openapi_bounds_are_numbers(identity):
    assert_well_typed(identity)


def test_notes_openapi_bounds_are_numbers(notes):
    assert_well_typed(notes)


def test_docportals_openapi_bounds_are_numbers(docportal):
    assert_well_typed(docportal)


def test_audits_openapi_bounds_are_numbers(audit):
    assert_well_typed(audit)
