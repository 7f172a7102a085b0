"""The share email's retries: backoff per share, a new link each time, the window restarted."""

from datetime import timedelta

import pytest

from docportal.domain.share_mail import (
    MailStatus,
    mail_delivered,
    mail_retry_due,
    mail_status,
    retry_delay,
    start_mail_retry,
)
from docportal.domain.shares import CLAIM_WINDOW, ShareStatus
from docportal.domain.sharing import reshare
from docportal.domain.tokens import hash_share_token
from docportal.domain.tracking import track_share

MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(("attempts", "minutes"), [
    (1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 30), (7, 30), (50, 30)])
def test_retries_back_off_doubling_from_one_minute_up_to_thirty(attempts, minutes):
    assert retry_delay(attempts) == minutes * MINUTE


def test_a_delay_needs_an_attempt_before_it():
    with pytest.raises(ValueError):
        retry_delay(0)


def test_the_sharing_request_is_the_first_attempt_and_schedules_the_first_retry(
        issued, sent_at):
    share = issued.share

    assert share.mail_attempts == 1 and mail_status(share) is MailStatus.PENDING
    assert share.mail_next_attempt_at == sent_at + MINUTE
    assert not mail_retry_due(share, sent_at + MINUTE - timedelta(seconds=1))
    assert mail_retry_due(share, sent_at + MINUTE)


def test_a_retry_issues_a_new_link_and_schedules_the_next_with_a_longer_wait(issued, sent_at):
    share = issued.share
    at = sent_at + MINUTE

    token = start_mail_retry(share, at)

    assert token != issued.token
    assert share.token_hash == hash_share_token(token) != hash_share_token(issued.token)
    assert share.mail_attempts == 2
    assert share.mail_next_attempt_at == at + 2 * MINUTE
    assert not mail_retry_due(share, at + 2 * MINUTE - timedelta(seconds=1))
    start_mail_retry(share, at + 2 * MINUTE)
    assert share.mail_next_attempt_at == at + 2 * MINUTE + 4 * MINUTE


def test_a_retry_that_is_not_due_is_refused(issued, sent_at):
    with pytest.raises(ValueError):
        start_mail_retry(issued.share, sent_at)


def test_a_retried_email_restarts_the_claim_window_at_its_delivery(issued, sent_at):
    share = issued.share
    start_mail_retry(share, sent_at + 3 * MINUTE)
    delivered_at = sent_at + timedelta(hours=5)

    mail_delivered(share, delivered_at)

    assert mail_status(share) is MailStatus.SENT and share.mail_sent_at == delivered_at
    assert share.sent_at == delivered_at
    assert share.claim_deadline == delivered_at + CLAIM_WINDOW
    assert share.mail_next_attempt_at is None
    # Past the first 24 hours after sharing, the recipient still has their whole window.
    assert share.status_at(sent_at + CLAIM_WINDOW + timedelta(hours=4)) is ShareStatus.SENT
    assert share.status_at(delivered_at + CLAIM_WINDOW + timedelta(seconds=1)) is (
        ShareStatus.EXPIRED)
    assert not mail_retry_due(share, delivered_at + timedelta(hours=1))


def test_an_email_delivered_by_the_sharing_request_keeps_the_window_it_started(
        issued, sent_at):
    share = issued.share

    mail_delivered(share, sent_at + timedelta(seconds=2))

    assert share.sent_at == sent_at and share.claim_deadline == sent_at + CLAIM_WINDOW


def test_a_revoked_share_is_never_mailed_again(issued, sent_at):
    share = issued.share
    share.revoke("staff-1", sent_at + timedelta(seconds=5))

    assert not mail_retry_due(share, sent_at + timedelta(hours=1))


def test_a_superseded_share_is_never_mailed_again(issued, sent_at):
    reshare(issued.share, shared_by="staff-1", now=sent_at + timedelta(seconds=30))

    assert not mail_retry_due(issued.share, sent_at + timedelta(hours=1))


def test_retries_stop_when_the_unsent_share_expires_a_day_after_it_was_made(issued, sent_at):
    share = issued.share

    assert mail_retry_due(share, sent_at + CLAIM_WINDOW)
    assert not mail_retry_due(share, sent_at + CLAIM_WINDOW + timedelta(seconds=1))
    assert share.status_at(sent_at + CLAIM_WINDOW + MINUTE) is ShareStatus.EXPIRED


def test_the_sender_sees_the_mail_pending_and_the_attempts(issued, sent_at):
    share = issued.share
    start_mail_retry(share, sent_at + MINUTE)

    tracking = track_share(share, sent_at + 2 * MINUTE)

    assert tracking.mail_status is MailStatus.PENDING and tracking.mail_attempts == 2
    assert tracking.mail_next_attempt_at == sent_at + 3 * MINUTE
    mail_delivered(share, sent_at + 3 * MINUTE)
    tracking = track_share(share, sent_at + 4 * MINUTE)
    assert tracking.mail_status is MailStatus.SENT and tracking.mail_attempts == 2
    assert tracking.claim_deadline == sent_at + 3 * MINUTE + CLAIM_WINDOW
