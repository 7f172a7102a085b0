"""Invitation emails are limited per invitee (4 an hour: the invitation and three resends)
and per practice (30 an hour)."""

from datetime import UTC, datetime, timedelta

import pytest

from identity.domain.errors import InvitationsThrottled, TooManyAttempts
from identity.domain.invitation_limits import (
    INVITEE_WINDOW,
    MAILS_PER_INVITEE,
    MAILS_PER_PRACTICE,
    PRACTICE_WINDOW,
    check_invitation_mail_allowed,
)

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def minutes_ago(*minutes: float) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


def test_an_invitee_gets_the_invitation_and_three_resends_an_hour():
    assert MAILS_PER_INVITEE == 4 and INVITEE_WINDOW.total_seconds() == 3600
    check_invitation_mail_allowed(mailed_to_invitee=minutes_ago(3, 2, 1),
                                  mailed_by_practice=minutes_ago(3, 2, 1), now=NOW)


def test_a_fourth_resend_within_the_hour_is_refused_until_the_first_mail_ages_out():
    with pytest.raises(InvitationsThrottled) as refused:
        check_invitation_mail_allowed(mailed_to_invitee=minutes_ago(45, 3, 2, 1),
                                      mailed_by_practice=minutes_ago(45, 3, 2, 1), now=NOW)
    error = refused.value
    assert isinstance(error, TooManyAttempts) and error.code == "too_many_invitations"
    assert error.details["per"] == "invitee" and error.details["limit"] == 4
    assert error.details["retry_after_seconds"] == 15 * 60
    assert "Try again in 15 minutes (after 15:15 UTC)" in error.message
    assert "look for the latest one" in error.message


def test_mails_older_than_an_hour_do_not_count():
    check_invitation_mail_allowed(mailed_to_invitee=minutes_ago(60, 3, 2, 1),
                                  mailed_by_practice=[], now=NOW)


def test_a_practice_sends_at_most_thirty_invitation_emails_an_hour():
    assert MAILS_PER_PRACTICE == 30 and PRACTICE_WINDOW.total_seconds() == 3600
    check_invitation_mail_allowed(mailed_to_invitee=[],
                                  mailed_by_practice=minutes_ago(*range(29)), now=NOW)
    with pytest.raises(InvitationsThrottled) as refused:
        check_invitation_mail_allowed(mailed_to_invitee=[],
                                      mailed_by_practice=minutes_ago(*range(30)), now=NOW)
    assert refused.value.details["per"] == "practice"
    # The oldest, 29 minutes old, leaves the hour in 31 minutes.
    assert refused.value.details["retry_after_seconds"] == 31 * 60


def test_a_mail_stamped_a_moment_after_now_still_counts():
    with pytest.raises(InvitationsThrottled):
        check_invitation_mail_allowed(mailed_to_invitee=minutes_ago(-0.01, 3, 2, 1),
                                      mailed_by_practice=[], now=NOW)


def test_a_naive_now_is_a_programming_error():
    with pytest.raises(ValueError):
        check_invitation_mail_allowed(mailed_to_invitee=[], mailed_by_practice=[],
                                      now=NOW.replace(tzinfo=None))
