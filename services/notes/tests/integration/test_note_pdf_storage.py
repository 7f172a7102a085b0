"""A finalized note's PDF is rendered once per version and kept in object storage.

Version 1 is the note as signed; each addendum makes the next. A later download is a fetch
from the store; a request arriving while the first one renders is told to come back (202).
"""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from notes.adapters.note_pdf import render_note_pdf
from notes.service_layer.errors import NotePdfUnavailable

pytestmark = pytest.mark.integration


class CountingRenderer:
    """The real renderer, counting its calls; `gate` (if set) holds each render until set."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.calls, self.gate, self.started = 0, gate, threading.Event()
        self.fail_next = False

    def __call__(self, printout):  # noqa: ANN001, ANN204 - the RenderPdf shape
        self.calls += 1
        self.started.set()
        if self.gate is not None:
            assert self.gate.wait(10), "the test never released the render"
        if self.fail_next:
            self.fail_next = False
            raise NotePdfUnavailable("render failed (test)")
        return render_note_pdf(printout)


@pytest.fixture
def renderer(app):
    counting = CountingRenderer()
    notes = app.extensions["notes"]
    app.extensions["notes"] = replace(notes, note_pdfs=replace(notes.note_pdfs, render=counting))
    return counting


def _finalized(as_, practice, chart, start) -> dict:
    therapist = as_(practice, "therapist")
    note = start(therapist, chart, subjective="Knee pain 4/10 on stairs.")
    done = therapist.post(f"/notes/{note['id']}/finalize", json={"version": 1})
    assert done.status_code == 200, done.get_json()
    return done.get_json()


def _stored_keys(seaweedfs, practice, note_id: str) -> list[str]:
    listed = seaweedfs.client().list_objects_v2(
        Bucket=seaweedfs.bucket, Prefix=f"note-pdfs/{practice.id}/{note_id}/")
    return sorted(item["Key"].rsplit("/", 1)[1] for item in listed.get("Contents", []))


def test_each_version_is_rendered_once_and_every_later_download_is_a_fetch(
    as_, practice, chart, start, renderer, seaweedfs, outbox
):
    note = _finalized(as_, practice, chart, start)
    reader = as_(practice, "clerical")
    first, again, third = (reader.get(f"/notes/{note['id']}/pdf") for _ in range(3))
    assert [r.status_code for r in (first, again, third)] == [200, 200, 200]
    assert first.data == again.data == third.data
    assert renderer.calls == 1
    assert _stored_keys(seaweedfs, practice, note["id"]) == ["v1.pdf"]
    # Every download is recorded, whether it rendered or fetched.
    assert len(outbox("notes.note.downloaded")) == 3

    therapist = as_(practice, "therapist")
    added = therapist.post(f"/notes/{note['id']}/addenda", json={"text": "Pain 2/10 today."})
    assert added.status_code == 201, added.get_json()
    amended = [reader.get(f"/notes/{note['id']}/pdf") for _ in range(2)]
    assert [r.status_code for r in amended] == [200, 200]
    assert amended[0].data == amended[1].data != first.data
    assert renderer.calls == 2
    assert _stored_keys(seaweedfs, practice, note["id"]) == ["v1.pdf", "v2.pdf"]


def test_a_request_during_the_render_is_told_to_come_back_and_records_nothing(
    app, as_, practice, chart, start, renderer, outbox
):
    note = _finalized(as_, practice, chart, start)
    renderer.gate = threading.Event()
    reader = as_(practice, "clerical")
    answers = {}
    first = threading.Thread(target=lambda: answers.setdefault(
        "first", app.test_client().get(f"/notes/{note['id']}/pdf", headers=reader.headers)))
    first.start()
    try:
        assert renderer.started.wait(10)
        waiting = reader.get(f"/notes/{note['id']}/pdf")
        assert waiting.status_code == 202
        assert waiting.headers["Retry-After"] == "2"
        assert "ask again in 2 seconds" in waiting.get_json()["message"]
        assert outbox("notes.note.downloaded") == []
    finally:
        renderer.gate.set()
        first.join(20)
    assert answers["first"].status_code == 200
    assert reader.get(f"/notes/{note['id']}/pdf").status_code == 200
    assert renderer.calls == 1


def test_a_failed_render_leaves_it_to_the_next_request(as_, practice, chart, start, renderer,
                                                        outbox):
    note = _finalized(as_, practice, chart, start)
    renderer.fail_next = True
    reader = as_(practice, "clerical")
    failed = reader.get(f"/notes/{note['id']}/pdf")
    assert failed.status_code == 503
    assert failed.get_json()["error"]["code"] == "note_pdf_unavailable"
    assert outbox("notes.note.downloaded") == []
    # No waiting for the claim's lease: the failed render gave it back.
    assert reader.get(f"/notes/{note['id']}/pdf").status_code == 200
    assert renderer.calls == 2
