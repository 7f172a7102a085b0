from datetime import timedelta

import pytest

from docportal.domain.errors import (
    RecipientEmailUnverified,
    SignInRequired,
    WrongRecipient,
)
from docportal.domain.recipients import Account, authorize_recipient_access


def test_account_with_the_verified_recipient_email_gets_access(issued, sent_at):
    same_person = Account(id="acct-lee", email="  Dr.LEE@Example.org ", email_verified=True)

    access = authorize_recipient_access(issued.share, same_person, sent_at)

    assert access.account_id == "acct-lee"
    assert access.share_id == issued.share.id


def test_another_signed_in_account_is_refused_as_wrong_recipient(issued, stranger, sent_at):
    with pytest.raises(WrongRecipient) as refused:
        authorize_recipient_access(issued.share, stranger, sent_at + timedelta(minutes=1))

    assert issued.share.claimed_at is None
    assert refused.value.details == {"share_id": issued.share.id, "signed_in_as": stranger.email}
    # The refusal must not tell a stranger who the documents were meant for.
    assert "dr.lee" not in refused.value.message


def test_another_account_is_wrong_recipient_even_with_an_unverified_email(issued, sent_at):
    unverified_stranger = Account(id="acct-eve", email="eve@example.net", email_verified=False)

    with pytest.raises(WrongRecipient):
        authorize_recipient_access(issued.share, unverified_stranger, sent_at)


def test_nobody_signed_in_must_sign_in_first_and_claims_nothing(issued, sent_at):
    with pytest.raises(SignInRequired, match="create a free account"):
        authorize_recipient_access(issued.share, None, sent_at)

    assert issued.share.claimed_at is None


def test_recipient_address_not_yet_verified_must_be_confirmed_first(issued, sent_at):
    unverified = Account(id="acct-lee", email="dr.lee@example.org", email_verified=False)

    with pytest.raises(RecipientEmailUnverified, match="Confirm your email address"):
        authorize_recipient_access(issued.share, unverified, sent_at)

    assert issued.share.claimed_at is None


def test_wrong_recipient_learns_nothing_about_an_expired_share(issued, stranger, sent_at):
    with pytest.raises(WrongRecipient):
        authorize_recipient_access(issued.share, stranger, sent_at + timedelta(days=2))


def test_wrong_recipient_learns_nothing_about_a_revoked_share(issued, stranger, sent_at):
    issued.share.revoke("staff-1", sent_at)

    with pytest.raises(WrongRecipient):
        authorize_recipient_access(issued.share, stranger, sent_at)


def test_wrong_recipient_stays_refused_after_the_recipient_claimed(
    issued, recipient, stranger, sent_at
):
    authorize_recipient_access(issued.share, recipient, sent_at)

    with pytest.raises(WrongRecipient):
        authorize_recipient_access(issued.share, stranger, sent_at + timedelta(hours=1))
