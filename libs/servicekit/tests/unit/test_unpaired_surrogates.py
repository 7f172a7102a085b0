"""Half a UTF-16 pair spelled alone in JSON (\\ud800) is refused before any view: no text can
hold it, and PostgreSQL would refuse it deep inside a handler (the stateful fuzzer's 500 on
POST /treatment-plans)."""

from flask import Flask, jsonify

from servicekit.web.input_guard import UnpairedSurrogate, install_input_guard


def client():
    app = Flask("guarded")
    install_input_guard(app)
    app.register_error_handler(UnpairedSurrogate, lambda e: (jsonify(code=e.code), e.status))
    app.add_url_rule("/x", "x", lambda: jsonify(ok=True), methods=["POST"])
    return app.test_client()


def test_an_unpaired_surrogate_escape_is_refused_with_400():
    answer = client().post("/x", data=b'{"a": ["\\udb45 x"]}', content_type="application/json")
    assert (answer.status_code, answer.get_json()["code"]) == (400, "invalid_unicode")


def test_a_whole_pair_and_plain_text_pass():
    guarded = client()
    assert guarded.post("/x", data=b'{"a": "\\udb45\\udc36"}',
                        content_type="application/json").status_code == 200
    assert guarded.post("/x", json={"a": "Zo\u00eb"}).status_code == 200
