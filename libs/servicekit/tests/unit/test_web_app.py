import logging

import marshmallow as ma
import pytest
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from servicekit.auth import Principal
from servicekit.context import current_request_id
from servicekit.web import create_service_app


class NoteIn(ma.Schema):
    subjective = ma.fields.Str(required=True)


def notes_blueprint() -> Blueprint:
    blp = Blueprint("notes", __name__, url_prefix="/notes")

    @blp.route("/<note_id>")
    class Note(MethodView):
        @blp.response(200)
        def get(self, note_id):
            """Read a note."""
            return {"note_id": note_id, "request_id": current_request_id()}

        @blp.arguments(NoteIn)
        @blp.response(200)
        def put(self, body, note_id):
            """Replace a note."""
            g.principal = Principal(user_id="u-42", org_id="o-1", kind="staff")
            return {"note_id": note_id}

    return blp


def failing_check() -> None:
    raise ConnectionRefusedError("amqp://guest:guest@broker.internal:5672")


@pytest.fixture
def app():
    return create_service_app(
        name="notes", version="2.1.0", blueprints=[notes_blueprint()],
        readiness_checks={"database": lambda: None},
    )


def test_healthz_answers_ok_without_a_token(app):
    response = app.test_client().get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_readyz_reports_each_check_when_all_pass(app):
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok"}}


def test_readyz_answers_503_naming_the_failed_check_without_its_message():
    app = create_service_app(
        name="notes", readiness_checks={"database": lambda: None, "broker": failing_check}
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "not_ready"
    assert error["details"] == {
        "checks": {"database": "ok", "broker": "failed: ConnectionRefusedError"}
    }
    assert "broker.internal" not in response.get_data(as_text=True)


def test_openapi_document_lists_routes_and_the_bearer_scheme(app):
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["info"] == {"title": "notes", "version": "2.1.0"}
    assert spec["openapi"] == "3.0.3"
    assert "/notes/{note_id}" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
    }


def test_app_exposes_its_api_and_metrics_registry(app):
    assert app.extensions["servicekit.api"].spec.title == "notes"
    assert app.extensions["servicekit.metrics_registry"] is not None
    assert app.extensions["servicekit.verifier"] is None


def test_request_id_from_the_caller_is_used_and_echoed(app):
    response = app.test_client().get("/notes/n-1", headers={"X-Request-ID": "req-1.a:b_c"})
    assert response.headers["X-Request-ID"] == "req-1.a:b_c"
    assert response.get_json()["request_id"] == "req-1.a:b_c"
    assert current_request_id() is None  # reset once the request is over


@pytest.mark.parametrize("unsafe", ["x" * 129, "evil\x1b[2J", "a b", "<script>", ""])
def test_unsafe_request_id_is_replaced_with_a_new_one(app, unsafe):
    response = app.test_client().get("/notes/n-1", headers={"X-Request-ID": unsafe})
    echoed = response.headers["X-Request-ID"]
    assert echoed != unsafe and len(echoed) == 32
    assert response.get_json()["request_id"] == echoed


def test_request_id_is_echoed_on_errors_too(app):
    response = app.test_client().get("/nowhere", headers={"X-Request-ID": "r-404"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "r-404"


def test_access_log_has_one_line_with_the_route_rule_and_no_body(app, caplog):
    caplog.set_level(logging.INFO, logger="servicekit.access")
    response = app.test_client().put(
        "/notes/n-9?token=abc",
        json={"subjective": "patient reports knee pain"},
        headers={"X-Request-ID": "r-log", "Authorization": "Bearer secret-token"},
    )
    assert response.status_code == 200
    [record] = [r for r in caplog.records if r.name == "servicekit.access"]
    assert record.method == "PUT"
    assert record.route == "/notes/<note_id>"
    assert record.status == 200
    assert record.request_id == "r-log"
    assert record.actor_id == "u-42"
    assert record.duration_ms >= 0
    logged = str(record.__dict__)
    for leaked in ("knee pain", "token=abc", "secret-token", "n-9"):
        assert leaked not in logged


def test_access_log_has_no_actor_for_anonymous_requests(app, caplog):
    caplog.set_level(logging.INFO, logger="servicekit.access")
    app.test_client().get("/notes/n-1")
    [record] = [r for r in caplog.records if r.name == "servicekit.access"]
    assert record.actor_id is None
