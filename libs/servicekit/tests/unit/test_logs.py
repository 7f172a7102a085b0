import json
import logging

import pytest

from servicekit.context import request_id_var
from servicekit.logs import configure_logging, redact
from servicekit.web import create_service_app


@pytest.fixture(autouse=True)
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_log_line_is_json_with_service_and_request_id(capsys):
    configure_logging("notes")
    token = request_id_var.set("r-77")
    try:
        logging.getLogger("notes.finalize").info("note %s finalized", "n-1")
    finally:
        request_id_var.reset(token)
    [line] = json_lines(capsys.readouterr().err)
    assert line["message"] == "note n-1 finalized"
    assert line["level"] == "INFO"
    assert line["logger"] == "notes.finalize"
    assert line["service"] == "notes"
    assert line["request_id"] == "r-77"
    assert line["timestamp"].endswith("+00:00")


def test_configuring_twice_writes_each_line_once(capsys):
    configure_logging("notes")
    configure_logging("notes", level="DEBUG")
    logging.getLogger("notes").debug("once")
    assert len(json_lines(capsys.readouterr().err)) == 1


def test_lines_below_the_level_are_dropped(capsys):
    configure_logging("audit", level="warning")
    logging.getLogger("audit").info("quiet")
    logging.getLogger("audit").warning("loud")
    assert [line["message"] for line in json_lines(capsys.readouterr().err)] == ["loud"]


def test_bearer_tokens_and_passwords_are_masked(capsys):
    configure_logging("identity")
    jwt_like = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1LTEifQ.c2lnbmF0dXJl"
    logging.getLogger("identity").warning(
        "sign-in failed: Authorization: Bearer %s password=hunter2 body %s", "abc.def", jwt_like
    )
    [line] = json_lines(capsys.readouterr().err)
    for secret in ("abc.def", "hunter2", jwt_like):
        assert secret not in line["message"]
    assert "sign-in failed" in line["message"]


def test_redact_leaves_ordinary_text_alone():
    assert redact("note n-1 finalized by u-7") == "note n-1 finalized by u-7"


def test_access_log_of_a_request_is_one_json_line(capsys):
    configure_logging("notes")
    app = create_service_app(name="notes")
    app.add_url_rule("/cases/<case_id>", "case", lambda case_id: {"case_id": case_id})
    app.test_client().get("/cases/c-3?password=pw", headers={"X-Request-ID": "r-5"})
    lines = [line for line in json_lines(capsys.readouterr().err)
             if line["logger"] == "servicekit.access"]
    assert len(lines) == 1
    line = lines[0]
    assert {k: line[k] for k in ("method", "route", "status", "request_id", "service")} == {
        "method": "GET", "route": "/cases/<case_id>", "status": 200, "request_id": "r-5",
        "service": "notes",
    }
    assert isinstance(line["duration_ms"], float)
    assert "c-3" not in json.dumps(line) and "pw" not in json.dumps(line)
