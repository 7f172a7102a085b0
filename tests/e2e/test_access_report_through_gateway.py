"""A therapist views 3 patients, 7 records, through the gateway; audit's report says exactly that.

The views go through nginx to notes, whose access events travel through its outbox, relay and
the bus to audit's consumer; the practice owner (who holds view_audit) reads the report.
"""

from __future__ import annotations

import pytest
from e2e_stack import Api, add_staff, new_chart, new_practice

from servicekit_testing.fixtures import wait_for

pytestmark = pytest.mark.e2e

VIEWS = (3, 2, 2)  # record views per patient: 3 patients, 7 records


def test_the_access_report_counts_exactly_what_a_user_touched(platform):
    owner = new_practice(platform, "Counting PT", "owner@counting.example")
    therapist_id, token = add_staff(owner, "pt@counting.example", "Casey Counter", "PT")
    colleague_id, colleague_token = add_staff(owner, "pt2@counting.example", "Robin Other", "PT")
    charts = [new_chart(owner) for _ in VIEWS]
    therapist, colleague = Api(token), Api(colleague_token)
    for chart, views in zip(charts, VIEWS, strict=True):
        for _ in range(views):
            therapist.get("notes", f"/patients/{chart['patient_id']}")
    colleague.get("notes", f"/patients/{charts[0]['patient_id']}")  # not the therapist's

    audit = Api(owner.token)

    def report() -> dict | None:
        body = audit.get("audit", f"/reports/access?user_id={therapist_id}").json()
        return body if body["total_records"] >= sum(VIEWS) else None

    body = wait_for(report, timeout=30, interval=0.25)
    assert body["total_records"] == 7
    assert body["row_count"] == 3
    assert {action: n for action, n in body["by_action"].items() if n} == {"viewed": 7}
    per_patient = {row["key"]: row["records"] for row in body["rows"]}
    assert per_patient == {c["patient_id"]: v for c, v in zip(charts, VIEWS, strict=True)}
    # The other direction: who touched the first patient (the therapist 3, the colleague 1).
    # The colleague's view travels on its own (another partition, another batch): wait for it.
    def patient_report() -> dict | None:
        rows = audit.get("audit", "/reports/patient-access?patient_id="
                         f"{charts[0]['patient_id']}").json()["rows"]
        by_user = {row["key"]: row["records"] for row in rows}
        return by_user if colleague_id in by_user else None

    by_user = wait_for(patient_report, timeout=30, interval=0.25)
    assert by_user[therapist_id] == 3 and by_user[colleague_id] == 1
