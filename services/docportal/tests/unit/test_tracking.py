from datetime import timedelta

from docportal.domain.errors import ShareRevoked, WrongRecipient
from docportal.domain.recipients import (
    authorize_recipient_access,
    record_download,
    record_view,
    refused_attempt,
)
from docportal.domain.shares import ShareStatus
from docportal.domain.sharing import reshare
from docportal.domain.tracking import track_share


def test_sender_sees_a_sent_share_and_its_deadline(issued, sent_at):
    tracking = track_share(issued.share, sent_at + timedelta(hours=1))

    assert tracking.status is ShareStatus.SENT
    assert tracking.claim_deadline == sent_at + timedelta(hours=24)
    assert (tracking.views, tracking.downloads, tracking.activity) == (0, 0, ())
    assert (tracking.refused_attempts, tracking.refusals) == (0, ())


def test_sender_sees_when_the_share_was_claimed_and_every_view_and_download(
    issued, recipient, sent_at
):
    opened_at = sent_at + timedelta(hours=2)
    access = authorize_recipient_access(issued.share, recipient, opened_at)
    record_view(issued.share, access, "Safari", opened_at)
    record_download(issued.share, access, "doc-1", "Safari", opened_at + timedelta(minutes=1))
    record_download(issued.share, access, "doc-2", "Safari", opened_at + timedelta(minutes=2))

    tracking = track_share(issued.share, sent_at + timedelta(days=10))

    assert tracking.status is ShareStatus.CLAIMED
    assert tracking.claimed_at == opened_at
    assert tracking.claim_deadline is None
    assert (tracking.views, tracking.downloads) == (1, 2)
    assert [a.document_id for a in tracking.activity] == ["doc-2", "doc-1", None]


def test_sender_sees_an_unopened_share_expire(issued, sent_at):
    assert track_share(issued.share, sent_at + timedelta(hours=24)).status is ShareStatus.SENT
    assert track_share(issued.share, sent_at + timedelta(hours=25)).status is ShareStatus.EXPIRED


def test_sender_sees_when_the_share_was_revoked(issued, recipient, sent_at):
    authorize_recipient_access(issued.share, recipient, sent_at)
    issued.share.revoke("staff-1", sent_at + timedelta(hours=5))

    tracking = track_share(issued.share, sent_at + timedelta(hours=6))

    assert tracking.status is ShareStatus.REVOKED
    assert tracking.revoked_at == sent_at + timedelta(hours=5)
    assert tracking.claimed_at == sent_at


def test_sender_sees_a_reshared_share_as_superseded(issued, sent_at):
    again = reshare(issued.share, shared_by="staff-1", now=sent_at + timedelta(days=2))

    tracking = track_share(issued.share, sent_at + timedelta(days=2))

    assert tracking.status is ShareStatus.SUPERSEDED
    assert tracking.superseded_by_id == again.share.id
    assert track_share(again.share, sent_at + timedelta(days=2)).status is ShareStatus.SENT


def test_sender_sees_refused_opens_oldest_first_apart_from_the_activity(
    issued, recipient, stranger, sent_at
):
    share = issued.share
    later = refused_attempt(share, ShareRevoked("gone"), None, "curl", sent_at + timedelta(days=3))
    earlier = refused_attempt(share, WrongRecipient("not you"), stranger, "Edge",
                              sent_at + timedelta(hours=1))
    access = authorize_recipient_access(share, recipient, sent_at + timedelta(hours=2))
    record_view(share, access, "Safari", sent_at + timedelta(hours=2))

    tracking = track_share(share, sent_at + timedelta(days=4), [later, earlier])

    assert tracking.refused_attempts == 2
    assert tracking.refusals == (earlier, later)
    assert [a.client for a in tracking.activity] == ["Safari"]
    assert tracking.views == 1
