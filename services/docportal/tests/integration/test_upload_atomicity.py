"""An upload whose row cannot be written takes its stored object away again."""

import io
from datetime import UTC, datetime

import pytest
from docportal_harness import MAX_UPLOAD_BYTES, PDF

from docportal.service_layer.callers import Staff
from docportal.service_layer.documents import upload_document
from docportal.spec import SPEC

pytestmark = pytest.mark.integration


class RecordingStorage:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.put_keys: list[str] = []

    def put(self, key, body, size_bytes, content_type) -> None:
        self.objects[key] = body.read()
        self.put_keys.append(key)

    def open(self, key):
        raise AssertionError("not used")

    def delete(self, key) -> None:
        del self.objects[key]


def test_a_row_that_cannot_be_written_deletes_the_object(tmp_path):
    # A database without the documents table: the insert fails after the object was put.
    runtime = SPEC.runtime(SPEC.load_config(local_dir=tmp_path, bus_url="memory://",
                                            database_url=f"sqlite:///{tmp_path / 'empty.db'}"))
    storage = RecordingStorage()
    with pytest.raises(Exception, match="documents"):
        upload_document(runtime.uow(), storage, Staff("u-1", "org-1"), patient_id="p-1",
                        kind="letter", filename="letter.pdf", body=io.BytesIO(PDF),
                        limit=MAX_UPLOAD_BYTES, now=datetime.now(UTC))

    assert len(storage.put_keys) == 1
    assert storage.objects == {}
    runtime.close()
