from datetime import timedelta

import pytest

from docportal.domain.errors import (
    ShareCannotBeReshared,
    ShareExpired,
    ShareRevoked,
    ShareSuperseded,
)
from docportal.domain.recipients import authorize_recipient_access
from docportal.domain.shares import ShareStatus
from docportal.domain.sharing import reshare, share_documents


def test_revoked_share_refuses_every_later_open_even_when_claimed(issued, recipient, sent_at):
    authorize_recipient_access(issued.share, recipient, sent_at + timedelta(minutes=5))
    revoked_at = sent_at + timedelta(hours=2)

    issued.share.revoke("staff-1", revoked_at)

    for later in (revoked_at, revoked_at + timedelta(days=30)):
        with pytest.raises(ShareRevoked, match="withdrawn access"):
            authorize_recipient_access(issued.share, recipient, later)


def test_revoking_an_unopened_share_stops_the_first_open(issued, recipient, sent_at):
    issued.share.revoke("staff-1", sent_at + timedelta(minutes=1))

    with pytest.raises(ShareRevoked):
        authorize_recipient_access(issued.share, recipient, sent_at + timedelta(minutes=2))
    assert issued.share.claimed_at is None


def test_revoking_twice_keeps_the_first_revocation(issued, sent_at):
    first = sent_at + timedelta(hours=1)

    assert issued.share.revoke("staff-1", first) is True
    assert issued.share.revoke("staff-2", first + timedelta(hours=1)) is False
    assert (issued.share.revoked_at, issued.share.revoked_by) == (first, "staff-1")


def test_reshare_of_an_expired_share_gives_a_new_link_and_a_new_24_hour_window(
    issued, recipient, sent_at
):
    resent_at = sent_at + timedelta(days=3)

    again = reshare(issued.share, shared_by="staff-1", now=resent_at)

    assert again.token != issued.token
    assert again.share.token_hash != issued.share.token_hash
    assert again.share.sent_at == resent_at
    assert again.share.supersedes_id == issued.share.id
    access = authorize_recipient_access(again.share, recipient, resent_at + timedelta(hours=24))
    assert access.claimed_now is True


def test_old_link_is_dead_after_a_reshare(issued, recipient, sent_at):
    again = reshare(issued.share, shared_by="staff-1", now=sent_at + timedelta(days=2))

    with pytest.raises(ShareSuperseded, match="most recent email"):
        authorize_recipient_access(issued.share, recipient, sent_at + timedelta(days=2))
    assert issued.share.superseded_by_id == again.share.id
    assert issued.share.status_at(sent_at + timedelta(days=2)) is ShareStatus.SUPERSEDED


def test_unopened_share_still_in_its_window_may_be_reshared_to_resend_a_lost_email(
    issued, recipient, sent_at
):
    resent_at = sent_at + timedelta(hours=20)

    again = reshare(issued.share, shared_by="staff-1", now=resent_at)

    with pytest.raises(ShareSuperseded):
        authorize_recipient_access(issued.share, recipient, resent_at)
    # The new window runs from the reshare, not from the first send.
    assert authorize_recipient_access(again.share, recipient, resent_at + timedelta(hours=23))


def test_revoked_share_may_be_reshared(issued, recipient, sent_at):
    issued.share.revoke("staff-1", sent_at + timedelta(hours=1))

    again = reshare(issued.share, shared_by="staff-1", now=sent_at + timedelta(hours=2))

    assert authorize_recipient_access(again.share, recipient, sent_at + timedelta(hours=3))
    with pytest.raises(ShareSuperseded):
        authorize_recipient_access(issued.share, recipient, sent_at + timedelta(hours=3))


def test_claimed_share_cannot_be_reshared(issued, recipient, sent_at):
    authorize_recipient_access(issued.share, recipient, sent_at + timedelta(hours=1))

    with pytest.raises(ShareCannotBeReshared, match="keeps access") as refused:
        reshare(issued.share, shared_by="staff-1", now=sent_at + timedelta(hours=2))

    assert refused.value.details["status"] == "claimed"
    assert issued.share.superseded_by_id is None


def test_superseded_share_cannot_be_reshared_again(issued, sent_at):
    newest = reshare(issued.share, shared_by="staff-1", now=sent_at + timedelta(days=2))

    with pytest.raises(ShareCannotBeReshared, match="reshare the newest") as refused:
        reshare(issued.share, shared_by="staff-1", now=sent_at + timedelta(days=3))

    assert refused.value.details["newest"] == newest.share.id


def test_reshare_keeps_documents_recipient_and_purpose(make_document, sent_at):
    old = share_documents(
        [make_document("doc-1"), make_document("doc-2")],
        recipient_email="counsel@lawfirm.example",
        purpose="legal_request",
        message="Records as requested.",
        shared_by="staff-1",
        now=sent_at,
    ).share

    kept = reshare(old, shared_by="staff-2", now=sent_at + timedelta(days=2)).share
    reworded = reshare(kept, shared_by="staff-2", now=sent_at + timedelta(days=2), message="Hi")

    assert (kept.document_ids, kept.recipient_email, kept.purpose) == (
        old.document_ids,
        old.recipient_email,
        old.purpose,
    )
    assert (kept.message, kept.shared_by) == ("Records as requested.", "staff-2")
    assert reworded.share.message == "Hi"


def test_new_share_from_a_reshare_expires_like_any_other(issued, recipient, sent_at):
    resent_at = sent_at + timedelta(days=2)
    again = reshare(issued.share, shared_by="staff-1", now=resent_at)

    with pytest.raises(ShareExpired):
        authorize_recipient_access(again.share, recipient, resent_at + timedelta(hours=25))
