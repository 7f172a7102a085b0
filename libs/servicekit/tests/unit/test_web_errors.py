import logging

import marshmallow as ma
import pytest
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import exc as sa_exc

from servicekit.web import (
    AppError,
    Conflict,
    NotFound,
    TooManyRequests,
    Unauthorized,
    create_service_app,
)


class PatientIn(ma.Schema):
    name = ma.fields.Str(required=True)
    birth_year = ma.fields.Int(required=True, validate=ma.validate.Range(1900, 2100))


class CaseAlreadyClosed(Exception):
    def __init__(self, case_id: str) -> None:
        super().__init__(f"Case {case_id} is closed; reopen it before adding notes.")
        self.details = {"case_id": case_id}


class ClaimWindowExpired(Exception):
    pass


class ShareClaimWindowExpired(ClaimWindowExpired):
    pass


def patients_blueprint() -> Blueprint:
    blp = Blueprint("patients", __name__, url_prefix="/patients")

    @blp.route("/")
    class Patients(MethodView):
        @blp.arguments(PatientIn)
        @blp.response(201, PatientIn)
        def post(self, patient):
            return patient

    @blp.route("/<patient_id>", methods=["GET"])
    def raise_for(patient_id):
        raisers = {
            "missing": lambda: NotFound("No such patient; check the id."),
            "closed": lambda: CaseAlreadyClosed("c-7"),
            "expired": lambda: ShareClaimWindowExpired("Ask the sender to share it again."),
            "busy": lambda: TooManyRequests("Slow down.", retry_after=30),
            "twice": lambda: Conflict("Already there.", code="duplicate_patient",
                                      details={"patient_id": "p-1"}),
            "anon": lambda: Unauthorized("Sign in again."),
            "aborted": lambda: abort(404, message="No such patient in this clinic."),
            "crash": lambda: RuntimeError("secret-dsn postgresql://u:pw@db/notes"),
            "db_down": lambda: sa_exc.OperationalError(
                "SELECT 1", {}, Exception("could not connect to db.internal password=pw")),
        }
        raise raisers[patient_id]()

    return blp


@pytest.fixture
def client():
    app = create_service_app(
        name="notes",
        blueprints=[patients_blueprint()],
        error_table={
            CaseAlreadyClosed: (409, "case_closed"),
            ClaimWindowExpired: (410, "claim_window_expired"),
        },
        max_content_length=1024,
    )
    return app.test_client()


def error_of(response) -> dict:
    assert response.is_json
    return response.get_json()["error"]


def test_invalid_body_answers_422_with_field_messages(client):
    response = client.post("/patients/", json={"birth_year": 1800})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_request"
    fields = error["details"]["fields"]["json"]
    assert set(fields) == {"name", "birth_year"}
    assert "correct them" in error["message"]


def test_valid_body_passes_through_the_schema(client):
    response = client.post("/patients/", json={"name": "Ada", "birth_year": 1990})
    assert response.status_code == 201
    assert response.get_json() == {"name": "Ada", "birth_year": 1990}


def test_malformed_json_answers_400_invalid_json(client):
    response = client.post(
        "/patients/", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_json"


def test_unknown_route_answers_404_in_the_error_shape(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert error_of(response) == {
        "code": "not_found", "message": "Nothing lives at this address; check the URL.",
        "details": {},
    }


def test_wrong_method_answers_405_and_names_the_allowed_ones(client):
    response = client.delete("/patients/")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_body_over_the_size_limit_answers_413(client):
    response = client.post("/patients/", json={"name": "x" * 5000, "birth_year": 1990})
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_app_error_answers_with_its_status_and_code(client):
    response = client.get("/patients/missing")
    assert response.status_code == 404
    assert error_of(response) == {
        "code": "not_found", "message": "No such patient; check the id.", "details": {},
    }


def test_smorest_abort_keeps_its_message(client):
    response = client.get("/patients/aborted")
    assert response.status_code == 404
    assert error_of(response)["message"] == "No such patient in this clinic."


def test_app_error_code_and_details_can_be_given_per_raise(client):
    response = client.get("/patients/twice")
    assert response.status_code == 409
    assert error_of(response) == {
        "code": "duplicate_patient", "message": "Already there.",
        "details": {"patient_id": "p-1"},
    }


def test_too_many_requests_tells_when_to_retry(client):
    response = client.get("/patients/busy")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"


def test_unauthorized_asks_for_a_bearer_token(client):
    response = client.get("/patients/anon")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_domain_error_in_the_table_answers_with_its_message_and_details(client):
    response = client.get("/patients/closed")
    assert response.status_code == 409
    assert error_of(response) == {
        "code": "case_closed",
        "message": "Case c-7 is closed; reopen it before adding notes.",
        "details": {"case_id": "c-7"},
    }


def test_domain_error_table_matches_subclasses(client):
    response = client.get("/patients/expired")
    assert response.status_code == 410
    assert error_of(response)["code"] == "claim_window_expired"


def test_unexpected_error_answers_500_without_leaking_and_logs_the_trace(client, caplog):
    caplog.set_level(logging.ERROR, logger="servicekit.errors")
    response = client.get("/patients/crash")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "internal_error"
    assert "secret-dsn" not in response.get_data(as_text=True)
    assert "X-Request-ID" in error["message"]
    [record] = [r for r in caplog.records if r.name == "servicekit.errors"]
    assert record.exc_info and record.exc_info[0] is RuntimeError


def test_lost_database_answers_503_without_the_driver_message(client):
    response = client.get("/patients/db_down")
    assert response.status_code == 503
    error = error_of(response)
    assert error == {
        "code": "database_unavailable",
        "message": "The service cannot reach its database right now; try again shortly.",
        "details": {},
    }
    assert "db.internal" not in response.get_data(as_text=True)


def test_app_error_defaults_come_from_its_class():
    err = AppError("Check the form.")
    assert (err.status, err.code, err.details) == (400, "bad_request", {})
    assert str(err) == "Check the form."
