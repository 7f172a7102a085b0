import io

import pytest
from flask import request
from flask_smorest import Blueprint

from servicekit.web import create_service_app


@pytest.fixture
def client():
    blp = Blueprint("echo", __name__)

    @blp.route("/echo/<item>", methods=["GET", "POST"])
    def echo(item):
        return {"item": item, "files": sorted(request.files)}

    return create_service_app(name="echo", blueprints=[blp]).test_client()


@pytest.mark.parametrize(("call", "where"), [
    (lambda c: c.get("/echo/a%00b"), "path"),
    (lambda c: c.get("/echo/a?name=x%00y"), "query"),
    (lambda c: c.post("/echo/a", json={"name": "x\u0000y"}), "body"),
    (lambda c: c.post("/echo/a", data=b'{"name": "x\\U0000y"}',
                      content_type="application/json"), "body"),
    (lambda c: c.post("/echo/a", data={"name": "x\x00y"}), "form"),
])
def test_a_nul_character_anywhere_is_refused_with_400(client, call, where):
    response = call(client)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "nul_character"
    assert error["details"] == {"where": where}
    assert "Remove it" in error["message"]


def test_zero_bytes_inside_an_uploaded_file_are_fine(client):
    upload = {"file": (io.BytesIO(b"%PDF-1.7\x00\x00\x01"), "scan.pdf")}
    response = client.post("/echo/a", data=upload, content_type="multipart/form-data")
    assert response.status_code == 200
    assert response.get_json()["files"] == ["file"]


def test_ordinary_requests_pass(client):
    assert client.get("/echo/a?name=ok").status_code == 200
    assert client.post("/echo/a", json={"name": "fine"}).status_code == 200
