"""When S3 is down, uploads fail cleanly: 503, no row, no event; the API stays ready (its
readiness is its own database only), so it keeps serving everything that needs no store."""

import pytest
from docportal_harness import PDF, make_app, make_config, outbox_events, table_rows, upload
from prometheus_client import REGISTRY

from docportal.adapters.tables import documents

pytestmark = pytest.mark.integration


@pytest.fixture
def app_on_own_storage(database_url, tmp_path, own_seaweedfs, mail_sink):
    app = make_app(make_config(database_url, tmp_path, own_seaweedfs, mail_sink.url))
    yield app, own_seaweedfs
    app.extensions["servicekit.runtime"].close()


def test_upload_while_storage_is_down_is_503_and_leaves_no_row(app_on_own_storage, practice):
    app, storage = app_on_own_storage
    client = app.test_client()
    assert client.get("/readyz").get_json()["checks"] == {"database": "ok"}
    assert upload(client, practice, content=PDF).status_code == 201

    failed_puts = {"service": "docportal", "operation": "put"}
    before = REGISTRY.get_sample_value("s3_errors_total", failed_puts) or 0
    storage.stop()
    response = upload(client, practice, content=PDF)

    assert response.status_code == 503
    assert REGISTRY.get_sample_value("s3_errors_total", failed_puts) == before + 1
    assert response.get_json()["error"]["code"] == "storage_unavailable"
    assert storage.endpoint_url not in response.get_data(as_text=True)
    assert len(table_rows(app, documents)) == 1  # only the upload from before the outage
    assert len(outbox_events(app, "docportal.document.uploaded")) == 1
    ready = client.get("/readyz")
    assert (ready.status_code, ready.get_json()["checks"]) == (200, {"database": "ok"})


def test_download_while_storage_is_down_is_503_and_records_nothing(app_on_own_storage, practice):
    app, storage = app_on_own_storage
    client = app.test_client()
    response = upload(client, practice, content=PDF)
    document_id = response.get_json()["id"]

    storage.stop()
    download = client.get(f"/documents/{document_id}/download", headers=practice.headers)

    assert download.status_code == 503
    assert outbox_events(app, "docportal.document.downloaded") == []
