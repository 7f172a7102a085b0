"""The access report counts exactly which patients and how many records a user touched."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from audit_harness import access, new_id

from audit.service_layer.access_reports import patient_access_report, user_access_report
from audit.service_layer.queries import Scope

pytestmark = pytest.mark.integration

START = datetime(2020, 1, 1, tzinfo=UTC)


def end():
    return datetime.now(UTC) + timedelta(minutes=1)


@pytest.fixture
def accesses(feed):
    """A user who viewed 3 patients and 7 records; noise from others around it."""
    org, other_org, user, colleague = new_id(), new_id(), new_id(), new_id()
    p1, p2, p3 = new_id(), new_id(), new_id()
    feed(
        access("notes.patient.viewed", org, user, p1),
        access("notes.note.viewed", org, user, p1),
        access("notes.note.viewed", org, user, p1),
        access("notes.patient.viewed", org, user, p2),
        access("notes.note.viewed", org, user, p2),
        access("notes.patient.viewed", org, user, p3),
        access("notes.note.viewed", org, user, p3),
        access("notes.note.viewed", org, colleague, p1),  # someone else
        access("notes.note.viewed", other_org, user, new_id()),  # another practice
        access("notes.note.finalized", org, colleague, p2),
    )
    return {"org": org, "other_org": other_org, "user": user, "colleague": colleague,
            "patients": (p1, p2, p3)}


def test_a_user_who_viewed_3_patients_and_7_records_gets_exactly_that(audit, accesses):
    p1, p2, p3 = accesses["patients"]
    report = user_access_report(audit.uow(), Scope(accesses["org"]), accesses["user"],
                                START, end())
    assert len(report.rows) == 3
    assert report.total_records == 7
    assert {row.key: row.records for row in report.rows} == {p1: 3, p2: 2, p3: 2}
    assert report.by_action["viewed"] == 7


def test_another_practices_accesses_stay_out_of_the_report(audit, accesses):
    everywhere = user_access_report(audit.uow(), Scope(None, all_practices=True),
                                    accesses["user"], START, end())
    assert everywhere.total_records == 8  # the vendor security role sees both practices


def test_the_patient_report_lists_everyone_who_touched_the_patient(audit, accesses):
    p1, p2, _ = accesses["patients"]
    report = patient_access_report(audit.uow(), Scope(accesses["org"]), p2, START, end())
    assert {row.key: row.records for row in report.rows} == {
        accesses["user"]: 2, accesses["colleague"]: 1}
    assert report.by_action["finalized"] == 1


def test_the_report_as_csv_has_a_row_per_patient_and_a_total(app_client, accesses):
    client, bearer_for = app_client
    response = client.get(
        f"/reports/access?user_id={accesses['user']}&format=csv",
        headers=bearer_for(accesses["org"]))
    assert response.status_code == 200, response.json
    assert response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert lines[0][:2] == ["patient_id", "records"]
    assert len(lines) == 1 + 3 + 1
    assert lines[-1][:2] == ["all patients", "7"]


@pytest.mark.parametrize(("window", "field"), [
    ("from=2099-01-01T00:00:00Z", "from"),  # ends now: it would end before it began
    ("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to"),
    ("to=1999-01-01T00:00:00Z", "to"),  # before the earliest possible record
])
def test_a_window_that_ends_before_it_begins_is_422(app_client, accesses, window, field):
    client, bearer_for = app_client
    response = client.get(f"/reports/access?user_id={accesses['user']}&{window}",
                          headers=bearer_for(accesses["org"]))
    assert response.status_code == 422, response.json
    assert field in str(response.json["error"]["details"])
