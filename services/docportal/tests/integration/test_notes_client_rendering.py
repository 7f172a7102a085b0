"""Attaching a note whose PDF another request is rendering: notes says 202, docportal asks again."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from docportal.adapters import notes_client
from docportal.adapters.notes_client import HttpNotePdfs
from docportal.service_layer.documents import NoteUnavailable
from servicekit_testing.servers import free_port

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def notes_answering():
    """A notes stand-in answering 202 (Retry-After 1) `renders` times, then the PDF."""
    state = {"renders": 0, "asked": 0}

    @Request.application
    def answer(request: Request) -> Response:
        state["asked"] += 1
        if state["asked"] <= state["renders"]:
            return Response('{"status": "rendering"}', status=202,
                            headers={"Retry-After": "1"}, mimetype="application/json")
        return Response(PDF, mimetype="application/pdf", headers={"X-Patient-Id": "p-1"})

    server = make_server("127.0.0.1", free_port(), answer, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_pdf_being_rendered_is_asked_for_again_after_retry_after(notes_answering):
    state, url = notes_answering
    state["renders"] = 2
    pdf = HttpNotePdfs(url).note_pdf("n-1", access_token="t", max_bytes=1000)
    assert (pdf.content, pdf.patient_id, state["asked"]) == (PDF, "p-1", 3)


def test_a_render_that_takes_too_long_says_to_try_again_later(notes_answering, monkeypatch):
    state, url = notes_answering
    state["renders"] = 100
    monkeypatch.setattr(notes_client, "RENDER_WAIT_SECONDS", 1.5)
    with pytest.raises(NoteUnavailable, match="still being prepared"):
        HttpNotePdfs(url).note_pdf("n-1", access_token="t", max_bytes=1000)
