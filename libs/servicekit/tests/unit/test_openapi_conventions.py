import pytest
from flask_smorest import Blueprint

from servicekit.auth import authenticated
from servicekit.web import create_service_app
from servicekit.web.openapi import documents_errors


def shelf() -> Blueprint:
    blp = Blueprint("shelf", __name__)

    @blp.route("/books/<book_id>", methods=["DELETE"])
    @documents_errors(409)
    @authenticated
    @blp.response(204)
    def remove(book_id: str) -> None:
        """Take a book off the shelf."""

    return blp


def document(**options):
    app = create_service_app(name="shelf", blueprints=[shelf()], **options)
    return app.test_client().get("/openapi.json").get_json()


def test_the_document_names_the_gateway_prefix_of_the_service():
    assert [s["url"] for s in document()["servers"]] == ["/api/shelf"]
    assert [s["url"] for s in document(gateway_prefix="/books")["servers"]] == ["/books"]


def test_an_operation_lists_the_errors_servicekit_and_the_view_know_of():
    responses = document()["paths"]["/books/{book_id}"]["delete"]["responses"]
    assert {"401", "403", "404", "409"} <= set(responses)
    assert responses["409"] == {"$ref": "#/components/responses/CONFLICT"}


def test_each_error_response_shows_an_example_of_the_shared_shape():
    conflict = document()["components"]["responses"]["CONFLICT"]["content"]["application/json"]
    assert conflict["schema"] == {"$ref": "#/components/schemas/Error"}
    assert conflict["example"]["error"]["code"] == "conflict"


def test_only_statuses_with_a_shared_response_can_be_declared():
    with pytest.raises(ValueError, match="418"):
        documents_errors(418)
