"""DOWNLOAD_OFFLOAD=x-accel: checks and records here, then hands the gateway a signed URL."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from docportal_harness import PDF, make_app, make_config, outbox_events, uploaded

pytestmark = pytest.mark.integration


@pytest.fixture
def offloading_app(database_url, tmp_path, seaweedfs, smtp_url):
    app = make_app(make_config(database_url, tmp_path, seaweedfs, smtp_url,
                               download_offload="x-accel"))
    yield app
    app.extensions["servicekit.runtime"].close()


def test_a_download_is_recorded_then_handed_over_as_a_one_minute_signed_url(
    offloading_app, practice, seaweedfs
):
    client = offloading_app.test_client()
    document = uploaded(client, practice, content=PDF)

    response = client.get(f"/documents/{document['id']}/download", headers=practice.headers)

    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    handed = response.headers["X-Accel-Redirect"]
    assert handed.startswith(f"/_document_store/{seaweedfs.bucket}/{practice.org_id}/")
    query = parse_qs(urlsplit(handed).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert len(outbox_events(offloading_app, "docportal.document.downloaded")) == 1
    # What the gateway does with it: the store serves the bytes for that signed path.
    store = requests.get(seaweedfs.endpoint_url + handed.removeprefix("/_document_store"),
                         timeout=10)
    assert store.status_code == 200 and store.content == PDF


def test_a_handed_over_download_of_a_missing_object_is_503_and_records_nothing(
    offloading_app, practice, seaweedfs
):
    client = offloading_app.test_client()
    document = uploaded(client, practice, content=PDF)
    seaweedfs.client().delete_object(Bucket=seaweedfs.bucket,
                                     Key=f"{practice.org_id}/{document['id']}")

    response = client.get(f"/documents/{document['id']}/download", headers=practice.headers)

    assert response.status_code == 503
    assert "X-Accel-Redirect" not in response.headers
    assert outbox_events(offloading_app, "docportal.document.downloaded") == []
