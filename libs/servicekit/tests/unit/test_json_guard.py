import io
import json
import time

import marshmallow as ma
import pytest
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from servicekit.web import create_service_app
from servicekit.web.json_guard import MAX_JSON_BYTES, MAX_JSON_DEPTH, nesting_depth


class NoteIn(ma.Schema):
    text = ma.fields.Raw(required=True)


def notes_blueprint() -> Blueprint:
    blp = Blueprint("notes", __name__, url_prefix="/notes")

    @blp.route("")
    class Notes(MethodView):
        @blp.arguments(NoteIn)
        def post(self, body):
            return {"text": body["text"]}

    @blp.route("/raw", methods=["POST"])
    def raw():
        # A view reading the body with Flask itself rather than through a schema.
        return {"body": request.get_json(silent=False)}

    @blp.route("/recurse", methods=["POST"])
    def recurse():
        def down(n: int) -> int:
            return down(n + 1)

        return {"depth": down(0)}

    return blp


@pytest.fixture
def client():
    return create_service_app(name="notes", blueprints=[notes_blueprint()]).test_client()


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def post_raw(client, body: str | bytes, url: str = "/notes", **kwargs):
    return client.post(url, data=body, content_type="application/json", **kwargs)


@pytest.mark.parametrize(("text", "depth"), [
    ("{}", 1),
    ('{"a": [1, {"b": [2]}]}', 4),
    ('"[[[[[["', 0),
    ('{"a": "\\"[[[[", "b": [[]]}', 3),
    ('["unterminated [[[[', 1),
    ("", 0),
])
def test_nesting_depth_counts_brackets_outside_strings(text, depth):
    assert nesting_depth(text.encode()) == depth


def test_nesting_depth_of_a_huge_unbalanced_body_is_measured_without_recursion():
    started = time.monotonic()
    assert nesting_depth(b"[" * MAX_JSON_BYTES) == MAX_JSON_BYTES
    assert nesting_depth(b'"\\' * (MAX_JSON_BYTES // 2)) == 0  # no quadratic rescans
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("url", ["/notes", "/notes/raw"])
def test_a_deeply_nested_body_is_refused_with_400_before_the_view(client, url):
    response = post_raw(client, '{"text": ' + nested(100_000) + "}", url)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "json_too_deep"
    assert error["details"] == {"max_depth": MAX_JSON_DEPTH}
    assert "Flatten the body" in error["message"]


def test_nesting_up_to_the_limit_is_accepted(client):
    body = {"text": json.loads(nested(MAX_JSON_DEPTH - 1))}
    assert client.post("/notes", json=body).status_code == 200
    too_deep = {"text": json.loads(nested(MAX_JSON_DEPTH))}
    assert client.post("/notes", json=too_deep).status_code == 400


def test_an_oversized_json_body_is_refused_with_413(client):
    body = json.dumps({"text": "x" * MAX_JSON_BYTES})
    response = post_raw(client, body)
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "json_too_large"
    assert error["details"] == {"max_bytes": MAX_JSON_BYTES}
    assert "send less" in error["message"]


def test_an_oversized_chunked_json_body_is_refused_with_413_too(client):
    body = json.dumps({"text": "x" * MAX_JSON_BYTES}).encode()
    response = client.post("/notes", input_stream=io.BytesIO(body),
                           content_type="application/json",
                           environ_base={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "json_too_large"


@pytest.mark.parametrize("body", [b'{"text": ', b'{"text": "\xff"}', b"[1, 2,]", b"NaN-ish"])
@pytest.mark.parametrize("url", ["/notes", "/notes/raw"])
def test_invalid_json_is_refused_with_400_on_every_route(client, body, url):
    response = post_raw(client, body, url)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_json"
    assert "send it again" in error["message"]


def test_a_recursion_error_anywhere_is_a_400_not_a_500(client):
    response = client.post("/notes/recurse")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "too_deeply_nested"


def test_an_ordinary_body_and_an_empty_one_reach_the_view(client):
    assert client.post("/notes", json={"text": [{"a": 1}] * 500}).status_code == 200
    assert post_raw(client, "").status_code == 422  # the schema's own answer
