"""CSV rendering of access reports, for the practice's security contact and its lawyers.

One row per patient (user report) or per user (patient report), one column per action,
then a closing row with the totals. Times are UTC ISO 8601. Rendered a few rows at a
time, so the API streams it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from audit.domain.access import Action
from audit.domain.reports import AccessReport, ReportSubject

_KEY_COLUMN = {ReportSubject.USER: "patient_id", ReportSubject.PATIENT: "actor_id"}
_TOTAL_LABEL = {ReportSubject.USER: "all patients", ReportSubject.PATIENT: "all users"}
# A cell starting with one of these is a formula to a spreadsheet (CSV injection); ids
# come from events, so one crafted id could otherwise run in the reader's Excel.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def render_access_report_csv(report: AccessReport) -> str:
    return "".join(access_report_csv_lines(report))


def access_report_csv_lines(report: AccessReport, rows_per_chunk: int = 200) -> Iterator[str]:
    """The CSV a few rows at a time: the header first, the totals row last (streamed)."""
    out = io.StringIO()
    writer = csv.writer(out)

    def taken() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow(
        [
            _KEY_COLUMN[report.subject],
            "records",
            *(a.value for a in Action),
            "first_access",
            "last_access",
        ]
    )
    yield taken()
    for i, row in enumerate(report.rows, 1):
        writer.writerow(
            [
                safe_cell(row.key),
                row.records,
                *(row.by_action[a] for a in Action),
                _time(row.first_access),
                _time(row.last_access),
            ]
        )
        if i % rows_per_chunk == 0:
            yield taken()
    writer.writerow(
        [
            _TOTAL_LABEL[report.subject],
            report.total_records,
            *(report.by_action[a] for a in Action),
            _time(report.first_access),
            _time(report.last_access),
        ]
    )
    yield taken()


def safe_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _time(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""
