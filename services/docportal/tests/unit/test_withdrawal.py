from datetime import timedelta

import pytest

from docportal.domain.errors import DocumentWithdrawn, InvalidWithdrawal, ShareRevoked
from docportal.domain.recipients import authorize_recipient_access
from docportal.domain.shares import ShareStatus
from docportal.domain.sharing import reshare, share_documents
from docportal.domain.withdrawal import check_not_withdrawn, withdraw_document


def a_share(make_document, email: str, sent_at):
    return share_documents([make_document("doc-1")], recipient_email=email,
                           purpose="treatment", shared_by="staff-1", now=sent_at).share


def test_withdrawal_revokes_sent_and_claimed_shares_and_leaves_dead_ones_alone(
        make_document, recipient, sent_at):
    claimed = a_share(make_document, recipient.email, sent_at)
    authorize_recipient_access(claimed, recipient, sent_at + timedelta(minutes=5))
    sent = a_share(make_document, "dr.kim@example.org", sent_at + timedelta(hours=1))
    expired = a_share(make_document, "dr.ray@example.org", sent_at - timedelta(days=3))
    old = a_share(make_document, "dr.ng@example.org", sent_at)
    reshare(old, shared_by="staff-1", now=sent_at + timedelta(minutes=1))
    now = sent_at + timedelta(hours=2)

    withdrawal = withdraw_document(make_document("doc-1"), [claimed, sent, expired, old],
                                   withdrawn_by="staff-2", reason="wrong patient", now=now)

    assert withdrawal.revoked == (claimed, sent)
    assert {claimed.status_at(now), sent.status_at(now)} == {ShareStatus.REVOKED}
    assert expired.revoked_at is None and old.revoked_at is None
    with pytest.raises(ShareRevoked):
        authorize_recipient_access(claimed, recipient, now)
    document = withdrawal.document
    assert (document.withdrawn_at, document.withdrawn_by, document.withdrawal_reason) == (
        now, "staff-2", "wrong patient")


def test_withdrawing_twice_keeps_the_first_withdrawal(make_document, sent_at):
    first = withdraw_document(make_document(), [], withdrawn_by="staff-1",
                              reason="wrong chart", now=sent_at)

    again = withdraw_document(first.document, [], withdrawn_by="staff-2", reason="",
                              now=sent_at + timedelta(hours=1))

    assert again.document == first.document
    assert again.withdrawn_now is False and again.revoked == ()


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_a_withdrawal_needs_a_short_reason(make_document, sent_at, reason):
    with pytest.raises(InvalidWithdrawal, match="why the document is withdrawn"):
        withdraw_document(make_document(), [], withdrawn_by="staff-1", reason=reason,
                          now=sent_at)


def test_a_withdrawn_document_can_no_longer_be_downloaded_or_shared(make_document, sent_at):
    check_not_withdrawn(make_document())
    withdrawn = withdraw_document(make_document(), [], withdrawn_by="staff-1",
                                  reason="wrong chart", now=sent_at).document

    with pytest.raises(DocumentWithdrawn, match="upload it to that patient's documents"):
        check_not_withdrawn(withdrawn)
