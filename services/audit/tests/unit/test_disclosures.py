"""The accounting of disclosures, rebuilt from docportal's share events."""

from datetime import UTC, datetime

import pytest

from audit.domain.disclosures import account_for_disclosures, accounting_start

START, END = datetime(2020, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)


def event(type_, subject, at, patient="p-1", **data):
    return {"id": f"e-{subject}-{at}", "type": type_, "occurred_at": at, "patient_id": patient,
            "subject": {"type": "share", "id": subject}, "actor": {"id": "u-1"}, "data": data}


def test_six_years_back_keeps_the_day_and_moves_29_february_earlier():
    assert accounting_start(datetime(2026, 5, 4, 10, tzinfo=UTC)) == datetime(
        2020, 5, 4, 10, tzinfo=UTC)
    assert accounting_start(datetime(2028, 2, 29, tzinfo=UTC)) == datetime(
        2022, 2, 28, tzinfo=UTC)


def test_a_later_status_counts_for_a_disclosure_in_the_window():
    accounting = account_for_disclosures([
        event("docportal.share.sent", "s-1", "2025-01-01T09:00:00+00:00",
              recipient_email="dr@x.example", purpose="treatment",
              documents=[{"id": "d-1", "kind": "plan_of_care"}]),
        event("docportal.share.revoked", "s-1", "2025-06-01T09:00:00+00:00"),
    ], "p-1", START, datetime(2025, 2, 1, tzinfo=UTC))
    [disclosure] = accounting.disclosures
    assert disclosure.revoked_at == datetime(2025, 6, 1, 9, tzinfo=UTC)
    assert disclosure.description == "1 plan of care"


def test_shares_outside_the_window_or_of_another_patient_are_left_out():
    accounting = account_for_disclosures([
        event("docportal.share.sent", "s-old", "2019-12-31T23:59:59+00:00"),
        event("docportal.share.sent", "s-other", "2025-01-01T09:00:00+00:00", patient="p-2"),
    ], "p-1", START, END)
    assert accounting.disclosures == ()


def test_staff_downloads_are_not_the_recipients():
    accounting = account_for_disclosures([
        event("docportal.share.sent", "s-1", "2025-01-01T09:00:00+00:00", document_ids=["d-1"]),
        event("docportal.document.downloaded", "d-1", "2025-01-01T10:00:00+00:00",
              share_id="s-1", by="staff"),
    ], "p-1", START, END)
    [disclosure] = accounting.disclosures
    assert disclosure.downloads == 0 and disclosure.description == "1 document"


def test_a_window_must_end_after_it_starts():
    with pytest.raises(ValueError):
        account_for_disclosures([], "p-1", END, START)
