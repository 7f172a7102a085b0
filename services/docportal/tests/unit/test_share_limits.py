"""Share mails are limited per sender (10 in 10 minutes) and per address (5 an hour)."""

from datetime import UTC, datetime, timedelta

import pytest

from docportal.domain.errors import TooManyShares
from docportal.domain.share_limits import (
    RECIPIENT_WINDOW,
    SENDER_WINDOW,
    SHARES_PER_RECIPIENT,
    SHARES_PER_SENDER,
    ShareLimits,
    check_share_mail_allowed,
)

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def seconds_ago(*seconds: float) -> list[datetime]:
    return [NOW - timedelta(seconds=s) for s in seconds]


def test_the_limits_are_ten_per_sender_in_ten_minutes_and_five_per_address_an_hour():
    assert SHARES_PER_SENDER == 10 and SENDER_WINDOW.total_seconds() == 10 * 60
    assert SHARES_PER_RECIPIENT == 5 and RECIPIENT_WINDOW.total_seconds() == 60 * 60


def test_a_sender_under_the_limit_may_share():
    check_share_mail_allowed(sent_by_sender=seconds_ago(*range(9)), sent_to_recipient=[],
                             now=NOW)


def test_the_eleventh_share_in_ten_minutes_is_refused_until_the_oldest_leaves_the_window():
    sent = seconds_ago(590, *range(9))  # the oldest, 10 s before it leaves the window
    with pytest.raises(TooManyShares) as refused:
        check_share_mail_allowed(sent_by_sender=sent, sent_to_recipient=[], now=NOW)
    details = refused.value.details
    assert details["per"] == "sender" and details["limit"] == 10
    assert details["retry_after_seconds"] == 10
    assert details["retry_at"] == (NOW + timedelta(seconds=10)).isoformat()
    assert "10 shares in the last 10 minutes" in refused.value.message
    assert "Try again in 10 seconds (after 15:00 UTC)" in refused.value.message


def test_shares_older_than_the_window_do_not_count():
    check_share_mail_allowed(sent_by_sender=seconds_ago(600, *range(9)), sent_to_recipient=[],
                             now=NOW)


def test_the_sixth_share_to_one_address_in_an_hour_is_refused():
    sent = seconds_ago(1800, 60, 50, 40, 30)
    with pytest.raises(TooManyShares) as refused:
        check_share_mail_allowed(sent_by_sender=[], sent_to_recipient=sent, now=NOW)
    assert refused.value.details["per"] == "recipient"
    assert refused.value.details["retry_after_seconds"] == 1800
    assert "5 shares to this address in the last hour" in refused.value.message
    assert "Try again in 30 minutes" in refused.value.message
    assert refused.value.code == "too_many_shares"


def test_a_fifth_share_to_one_address_is_still_allowed():
    check_share_mail_allowed(sent_by_sender=[], sent_to_recipient=seconds_ago(1, 2, 3, 4),
                             now=NOW)


def test_a_share_stamped_a_moment_after_now_still_counts():
    # A request that read the clock earlier may count after one that read it later.
    with pytest.raises(TooManyShares):
        check_share_mail_allowed(sent_by_sender=seconds_ago(-0.5, *range(9)),
                                 sent_to_recipient=[], now=NOW)


def test_configured_limits_replace_the_defaults():
    generous = ShareLimits(per_sender=100, per_recipient=100)
    check_share_mail_allowed(sent_by_sender=seconds_ago(*range(50)),
                             sent_to_recipient=seconds_ago(*range(50)), now=NOW,
                             limits=generous)


def test_a_naive_now_is_a_programming_error():
    with pytest.raises(ValueError):
        check_share_mail_allowed(sent_by_sender=[], sent_to_recipient=[],
                                 now=NOW.replace(tzinfo=None))
