"""CSV export of a stored breach assessment: the affected individuals, then the notices owed."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from audit.domain.report_csv import safe_cell


def render_breach_assessment_csv(assessment: Mapping[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["patient_id", "state"])
    for person in assessment["affected"]:
        writer.writerow([safe_cell(person["patient_id"]), safe_cell(person["state"] or "")])
    writer.writerow([])
    writer.writerow(["notice_to", "due", "state", "instruction"])
    for notice in assessment["notices"]:
        writer.writerow([notice["to"], notice["due"], safe_cell(notice["state"] or ""),
                         notice["instruction"]])
    return out.getvalue()
