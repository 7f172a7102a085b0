from datetime import timedelta, timezone

import pytest

from docportal.domain import activity, documents, recipients, shares, sharing
from docportal.domain.errors import ShareExpired
from docportal.domain.recipients import authorize_recipient_access
from docportal.domain.shares import CLAIM_WINDOW, Share, ShareStatus

DAY = timedelta(hours=24)


def test_claim_window_is_24_hours():
    assert CLAIM_WINDOW == DAY


def test_recipient_opening_within_24_hours_claims_the_share(issued, recipient, sent_at):
    opened_at = sent_at + timedelta(hours=3)

    access = authorize_recipient_access(issued.share, recipient, opened_at)

    assert access.claimed_now is True
    assert access.document_ids == ("doc-1", "doc-2")
    assert issued.share.claimed_at == opened_at
    assert issued.share.claimed_by == recipient.id
    assert issued.share.status_at(opened_at) is ShareStatus.CLAIMED


def test_open_at_exactly_24_hours_is_still_in_time(issued, recipient, sent_at):
    access = authorize_recipient_access(issued.share, recipient, sent_at + DAY)

    assert access.claimed_now is True


def test_unclaimed_share_expires_after_24_hours(issued, recipient, sent_at):
    just_late = sent_at + DAY + timedelta(microseconds=1)

    with pytest.raises(ShareExpired) as refused:
        authorize_recipient_access(issued.share, recipient, just_late)

    assert "ask the sender to share it again" in refused.value.message.lower()
    assert refused.value.details["expired_at"] == (sent_at + DAY).isoformat()
    assert issued.share.claimed_at is None
    assert issued.share.status_at(just_late) is ShareStatus.EXPIRED


def test_claimed_share_stays_available_after_24_hours(issued, recipient, sent_at):
    authorize_recipient_access(issued.share, recipient, sent_at + timedelta(hours=23))

    for later in (sent_at + DAY + timedelta(hours=1), sent_at + timedelta(days=3 * 365)):
        access = authorize_recipient_access(issued.share, recipient, later)
        assert access.claimed_now is False
        assert access.document_ids == ("doc-1", "doc-2")
        assert issued.share.status_at(later) is ShareStatus.CLAIMED


def test_later_opens_do_not_claim_again(issued, recipient, sent_at):
    first = sent_at + timedelta(minutes=5)
    authorize_recipient_access(issued.share, recipient, first)

    again = authorize_recipient_access(issued.share, recipient, first + timedelta(minutes=1))

    assert again.claimed_now is False
    assert issued.share.claimed_at == first


def test_window_is_measured_in_utc_whatever_zone_the_clock_reports(issued, recipient, sent_at):
    sydney = timezone(timedelta(hours=11))
    just_late = (sent_at + DAY + timedelta(seconds=1)).astimezone(sydney)

    with pytest.raises(ShareExpired):
        authorize_recipient_access(issued.share, recipient, just_late)


@pytest.mark.parametrize("module", [activity, documents, recipients, shares, sharing])
def test_recipient_has_no_way_to_delete_archive_or_purge_documents(module):
    # Claimed documents stay available for good: the rules offer no such operation.
    forbidden = ("delete", "archive", "purge", "remove", "retention")
    names = [n.lower() for n in dir(module)] + [n.lower() for n in dir(Share)]

    assert not [n for n in names for word in forbidden if word in n]
