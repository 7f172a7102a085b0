import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from audit.domain.access import AccessFact, Action
from audit.domain.report_csv import render_access_report_csv
from audit.domain.reports import (
    ReportSubject,
    build_patient_access_report,
    build_user_access_report,
)

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)


def at(days, hours=0):
    return START + timedelta(days=days, hours=hours)


def fact(actor, patient, action, when, count=1):
    return AccessFact(actor, patient, action, f"x.y.{action.value}", when, count)


FACTS = [
    fact("u-sam", "p-1", Action.VIEWED, at(1)),
    fact("u-sam", "p-1", Action.DOWNLOADED, at(2), count=3),
    fact("u-sam", "p-2", Action.SEARCHED, at(3)),
    fact("u-sam", "p-1", Action.SHARED, at(4), count=2),
    fact("u-dana", "p-1", Action.EDITED, at(5)),
    fact("u-dana", "p-3", Action.FINALIZED, at(6)),
    fact("u-sam", "p-4", Action.VIEWED, START - timedelta(seconds=1)),  # before the window
    fact("u-sam", "p-5", Action.VIEWED, END),  # the window's end is excluded
    fact("u-sam", "p-6", Action.CREATED, START),  # the window's start is included
]


def test_user_report_lists_every_patient_touched_with_records_per_patient():
    report = build_user_access_report(FACTS, "u-sam", START, END)
    assert report.subject is ReportSubject.USER
    assert [(r.key, r.records) for r in report.rows] == [("p-1", 6), ("p-2", 1), ("p-6", 1)]
    assert report.total_records == 8


def test_user_report_breaks_records_down_by_action():
    report = build_user_access_report(FACTS, "u-sam", START, END)
    p1 = report.rows[0]
    assert p1.by_action[Action.VIEWED] == 1
    assert p1.by_action[Action.DOWNLOADED] == 3
    assert p1.by_action[Action.SHARED] == 2
    assert p1.by_action[Action.EDITED] == 0
    assert report.by_action == {
        Action.VIEWED: 1,
        Action.SEARCHED: 1,
        Action.CREATED: 1,
        Action.EDITED: 0,
        Action.FINALIZED: 0,
        Action.SHARED: 2,
        Action.DOWNLOADED: 3,
    }


def test_user_report_gives_first_and_last_access_per_patient_and_overall():
    report = build_user_access_report(FACTS, "u-sam", START, END)
    p1 = report.rows[0]
    assert (p1.first_access, p1.last_access) == (at(1), at(4))
    assert (report.first_access, report.last_access) == (START, at(4))


def test_report_window_includes_its_start_and_excludes_its_end():
    keys = [r.key for r in build_user_access_report(FACTS, "u-sam", START, END).rows]
    assert "p-6" in keys
    assert "p-4" not in keys and "p-5" not in keys


def test_user_with_no_access_gets_an_empty_report():
    report = build_user_access_report(FACTS, "u-nobody", START, END)
    assert (report.rows, report.total_records, report.first_access) == ((), 0, None)


def test_patient_report_lists_who_touched_the_patients_records():
    report = build_patient_access_report(FACTS, "p-1", START, END)
    assert report.subject is ReportSubject.PATIENT
    assert [(r.key, r.records) for r in report.rows] == [("u-sam", 6), ("u-dana", 1)]
    assert report.rows[1].by_action[Action.EDITED] == 1
    assert report.total_records == 7


def test_report_refuses_an_empty_or_naive_window():
    with pytest.raises(ValueError):
        build_user_access_report(FACTS, "u-sam", END, START)
    with pytest.raises(ValueError, match="timezone-aware"):
        build_user_access_report(FACTS, "u-sam", datetime(2026, 11, 1), END)


def test_user_report_csv_has_a_row_per_patient_a_column_per_action_and_totals():
    report = build_user_access_report(FACTS, "u-sam", START, END)
    rows = list(csv.reader(io.StringIO(render_access_report_csv(report))))
    assert rows[0] == [
        "patient_id",
        "records",
        "viewed",
        "searched",
        "created",
        "edited",
        "finalized",
        "shared",
        "downloaded",
        "first_access",
        "last_access",
    ]
    assert rows[1] == [
        "p-1",
        "6",
        "1",
        "0",
        "0",
        "0",
        "0",
        "2",
        "3",
        at(1).isoformat(),
        at(4).isoformat(),
    ]
    assert rows[-1][:2] == ["all patients", "8"]
    assert len(rows) == 1 + 3 + 1


def test_patient_report_csv_is_keyed_by_actor():
    report = build_patient_access_report(FACTS, "p-1", START, END)
    rows = list(csv.reader(io.StringIO(render_access_report_csv(report))))
    assert rows[0][0] == "actor_id"
    assert [r[0] for r in rows[1:]] == ["u-sam", "u-dana", "all users"]


def test_empty_report_csv_has_header_and_a_zero_total():
    report = build_user_access_report([], "u-sam", START, END)
    rows = list(csv.reader(io.StringIO(render_access_report_csv(report))))
    assert rows[1] == ["all patients", "0", "0", "0", "0", "0", "0", "0", "0", "", ""]


def test_csv_neutralizes_ids_a_spreadsheet_would_run_as_formulas():
    facts = [fact("u-sam", '=HYPERLINK("http://evil")', Action.VIEWED, at(1))]
    report = build_user_access_report(facts, "u-sam", START, END)
    rows = list(csv.reader(io.StringIO(render_access_report_csv(report))))
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'
