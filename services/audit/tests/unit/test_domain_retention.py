from datetime import UTC, datetime, timedelta

import pytest

from audit.domain.retention import (
    DEFAULT_RETENTION_YEARS,
    MINIMUM_RETENTION_YEARS,
    RetentionTooShort,
    check_retention_years,
    may_purge,
    retained_until,
)


def test_default_retention_is_at_least_six_years():
    assert MINIMUM_RETENTION_YEARS == 6
    assert DEFAULT_RETENTION_YEARS >= MINIMUM_RETENTION_YEARS


def test_retention_shorter_than_six_years_is_refused():
    with pytest.raises(RetentionTooShort, match="set it to 6 or more"):
        check_retention_years(5)


@pytest.mark.parametrize("bad", [5.9, "6", True, None])
def test_retention_that_is_not_a_whole_number_of_years_is_refused(bad):
    with pytest.raises(RetentionTooShort):
        check_retention_years(bad)


def test_retention_of_six_years_or_more_is_accepted():
    assert check_retention_years(6) == 6
    assert check_retention_years(10) == 10


def test_record_may_not_be_purged_before_six_years():
    recorded = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    six_years = datetime(2032, 11, 23, 9, 0, tzinfo=UTC)
    assert not may_purge(recorded, six_years - timedelta(seconds=1))
    assert may_purge(recorded, six_years)


def test_leap_day_record_is_kept_until_the_first_of_march():
    recorded = datetime(2028, 2, 29, 12, 0, tzinfo=UTC)
    assert retained_until(recorded, 6) == datetime(2034, 3, 1, 12, 0, tzinfo=UTC)


def test_purge_check_refuses_a_shorter_retention():
    recorded = datetime(2020, 1, 1, tzinfo=UTC)
    with pytest.raises(RetentionTooShort):
        may_purge(recorded, datetime(2026, 11, 23, tzinfo=UTC), years=3)
