"""SeaweedFS stopped and started again, through the gateway: uploads and downloads answer 503
with a clear error while it is down and nothing is half-written; afterwards both work again,
and what was stored before the outage is intact."""

from __future__ import annotations

import time

import pytest
import requests
from e2e_stack import GATEWAY
from faultkit import report
from sqlalchemy import func, select
from through_gateway import PDF, open_gateway_clinic, upload

from docportal.adapters.tables import documents
from servicekit_testing.fixtures import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.faults]


def test_uploads_and_downloads_fail_cleanly_while_the_store_is_down_then_work_again(
        through_gateway):
    clinic = open_gateway_clinic(through_gateway)
    api, patient_id = clinic.api, clinic.chart["patient_id"]
    ledger, store = through_gateway.ledger, through_gateway.store
    before = api.get("docportal", f"/documents/{clinic.document_id}/download")
    assert before.content == PDF

    def stored() -> tuple[int, int, int]:
        """(document rows, upload events in the outbox, objects in the bucket)."""
        with ledger.engine("docportal").connect() as conn:
            rows = conn.execute(select(func.count()).select_from(documents)).scalar_one()
        objects = store.client().list_objects_v2(Bucket=store.bucket).get("KeyCount", 0)
        return rows, ledger.outbox_count("docportal", "docportal.document.uploaded"), objects

    rows_before, events_before, objects_before = stored()
    store.stop()
    stopped_at = time.monotonic()
    refused_upload = upload(api, patient_id, content=PDF + b"% during the outage\n")
    refused_download = api.get("docportal", f"/documents/{clinic.document_id}/download",
                               expect=None)
    ready = requests.get(f"{GATEWAY}/api/docportal/readyz", timeout=30)
    assert refused_upload.status_code == 503, refused_upload.text
    assert refused_upload.json()["error"]["code"] == "storage_unavailable"
    assert "try again" in refused_upload.json()["error"]["message"].lower()
    assert refused_download.status_code == 503, refused_download.text
    assert refused_download.json()["error"]["code"] == "storage_unavailable"
    assert ready.status_code == 200  # an API's readiness is its database only: it stays in
    # rotation and keeps serving what needs no store. Other services keep answering too.
    assert api.get("notes", f"/patients/{patient_id}").status_code == 200

    restarted_at = time.monotonic()
    store.start()
    again = wait_for(lambda: (r := upload(api, patient_id)).status_code == 201 and r,
                     timeout=60, interval=0.5)
    recovered_in = time.monotonic() - restarted_at
    rows_after, events_after, objects_after = stored()
    old = api.get("docportal", f"/documents/{clinic.document_id}/download")
    new = api.get("docportal", f"/documents/{again.json()['id']}/download")
    report("SeaweedFS stopped and started, through the gateway", {
        "store down (s)": restarted_at - stopped_at,
        "upload while down": refused_upload.status_code,
        "download while down": refused_download.status_code,
        "docportal /readyz while down (stays 200)": ready.status_code,
        "restart to first good upload (s)": recovered_in,
        "document rows before / after": f"{rows_before} / {rows_after}",
        "objects before / after": f"{objects_before} / {objects_after}",
    })
    # The refused upload left no row, no event and no object; the next one added one of each.
    assert (rows_after, events_after, objects_after) == (
        rows_before + 1, events_before + 1, objects_before + 1)
    assert old.status_code == 200 and old.content == PDF  # stored before the outage, intact
    assert new.status_code == 200 and new.content == PDF
