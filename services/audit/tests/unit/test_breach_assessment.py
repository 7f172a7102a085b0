from datetime import UTC, date, datetime, timedelta

import pytest

from audit.domain.breach import (
    AffectedIndividual,
    Recipient,
    annual_report_deadline,
    assess_breach,
)

DISCOVERED = date(2026, 3, 10)


def people(count, state="CA", prefix="p"):
    return [AffectedIndividual(f"{prefix}-{state}-{i}", state) for i in range(count)]


def test_499_affected_is_below_the_threshold_and_reported_after_the_year_ends():
    result = assess_breach(people(499), DISCOVERED)
    assert (result.affected_count, result.reaches_500) == (499, False)
    assert result.due(Recipient.HHS) == date(2027, 3, 1)
    assert result.media_states == ()


def test_500_affected_reaches_the_threshold_and_hhs_is_told_within_60_days():
    result = assess_breach(people(500), DISCOVERED)
    assert (result.affected_count, result.reaches_500) == (500, True)
    assert result.due(Recipient.HHS) == date(2026, 5, 9)


def test_501_affected_reaches_the_threshold():
    assert assess_breach(people(501), DISCOVERED).reaches_500


def test_individuals_are_notified_within_60_days_of_discovery_in_both_cases():
    assert assess_breach(people(3), DISCOVERED).due(Recipient.INDIVIDUALS) == date(2026, 5, 9)
    assert assess_breach(people(900), DISCOVERED).due(Recipient.INDIVIDUALS) == date(2026, 5, 9)


def test_state_with_exactly_500_residents_needs_no_media_notice():
    result = assess_breach(people(500, "CA") + people(10, "NV"), DISCOVERED)
    assert result.per_state == {"CA": 500, "NV": 10}
    assert result.media_states == ()


def test_state_with_501_residents_needs_a_media_notice_within_60_days():
    result = assess_breach(people(501, "CA") + people(500, "NV"), DISCOVERED)
    assert result.media_states == ("CA",)
    assert result.due(Recipient.MEDIA) == date(2026, 5, 9)


def test_every_state_over_500_gets_its_own_media_notice():
    result = assess_breach(people(600, "TX") + people(700, "CA"), DISCOVERED)
    assert result.media_states == ("CA", "TX")


def test_no_state_over_500_when_the_total_is_spread_thin():
    states = ["CA", "NV", "OR"]
    result = assess_breach([p for s in states for p in people(300, s)], DISCOVERED)
    assert (result.reaches_500, result.media_states) == (True, ())


@pytest.mark.parametrize(
    ("discovered", "deadline"),
    [
        (date(2026, 1, 1), date(2027, 3, 1)),  # 2027 is not a leap year
        (date(2027, 12, 31), date(2028, 2, 29)),  # 2028 is: 29 February is day 60
        (date(2023, 6, 15), date(2024, 2, 29)),
        (date(2024, 2, 29), date(2025, 3, 1)),
    ],
)
def test_annual_hhs_report_is_due_60_days_after_the_year_of_discovery(discovered, deadline):
    assert annual_report_deadline(discovered) == deadline
    assert assess_breach(people(1), discovered).due(Recipient.HHS) == deadline


def test_the_same_patient_counts_once():
    twice = people(300) + people(300)
    assert assess_breach(twice, DISCOVERED).affected_count == 300


def test_unknown_states_count_toward_the_total_and_are_flagged():
    result = assess_breach(people(480) + people(20, None), DISCOVERED)
    assert result.affected_count == 500
    assert result.reaches_500
    assert result.unknown_state_count == 20
    assert result.per_state == {"CA": 480}
    assert "20 affected individuals have no state" in result.notes[0]


def test_state_codes_are_normalized():
    result = assess_breach(
        [
            AffectedIndividual("p-1", " ca "),
            AffectedIndividual("p-2", "CA"),
            AffectedIndividual("p-3", ""),
        ],
        DISCOVERED,
    )
    assert result.per_state == {"CA": 2}
    assert result.unknown_state_count == 1


def test_no_affected_individuals_owes_no_notice():
    result = assess_breach([], DISCOVERED)
    assert (result.affected_count, result.notices) == (0, ())


def test_discovery_must_be_a_calendar_date():
    with pytest.raises(TypeError):
        assess_breach(people(1), datetime(2026, 3, 10, tzinfo=UTC))


def test_media_notice_is_required_only_in_states_with_more_than_500_residents():
    affected = [*people(501, "CA"), *people(500, "OR"), *people(30, "WA")]
    result = assess_breach(affected, DISCOVERED)
    assert result.per_state == {"CA": 501, "OR": 500, "WA": 30}
    assert result.media_notice_required_states == ("CA",)
    assert result.media_notice_required_states == result.media_states


def test_a_large_breach_spread_over_states_needs_hhs_but_no_media():
    result = assess_breach([*people(400, "CA"), *people(400, "NV")], DISCOVERED)
    assert result.reaches_500 and result.due(Recipient.HHS) == DISCOVERED + timedelta(days=60)
    assert result.media_notice_required_states == ()
