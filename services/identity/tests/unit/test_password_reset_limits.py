"""How often "forgot password" may be asked: three mails an account an hour, ten requests
an address in fifteen minutes."""

from datetime import timedelta

import pytest

from identity.domain.errors import ResetRequestsThrottled
from identity.domain.password_reset_limits import check_reset_requests, may_mail_account


def test_an_account_gets_at_most_three_reset_mails_an_hour(now):
    two = [now - timedelta(minutes=50), now - timedelta(minutes=10)]
    assert may_mail_account(two, now)
    assert not may_mail_account([*two, now - timedelta(minutes=1)], now)


def test_mails_older_than_an_hour_no_longer_count(now):
    old = [now - timedelta(hours=1, seconds=s) for s in range(5)]
    assert may_mail_account(old, now)


def test_an_address_asking_ten_times_in_fifteen_minutes_waits(now):
    nine = [now - timedelta(minutes=m) for m in range(9)]
    check_reset_requests(nine, now)
    with pytest.raises(ResetRequestsThrottled) as refused:
        check_reset_requests([*nine, now - timedelta(minutes=14)], now)
    # The oldest counted request (14 minutes ago) ages out in one minute.
    assert refused.value.details == {"retry_after_seconds": 60}
    assert refused.value.code == "too_many_reset_requests"


def test_requests_older_than_fifteen_minutes_no_longer_count(now):
    check_reset_requests([now - timedelta(minutes=15, seconds=s) for s in range(20)], now)
