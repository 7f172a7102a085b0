"""The share rules as properties over every send, open, revoke and reshare time."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docportal.domain.documents import Document, DocumentKind
from docportal.domain.errors import (
    RecipientEmailUnverified,
    ShareExpired,
    ShareRevoked,
    ShareSuperseded,
    WrongRecipient,
)
from docportal.domain.recipients import Account, authorize_recipient_access, normalize_email
from docportal.domain.shares import CLAIM_WINDOW, ShareStatus
from docportal.domain.sharing import IssuedShare, reshare, share_documents
from docportal.domain.tokens import hash_share_token
from docportal.domain.tracking import track_share

RECIPIENT_EMAIL = "dr.lee@example.org"
DOCUMENT_IDS = ("doc-1", "doc-2")

properties = settings(max_examples=200, deadline=None)

# Fixed offsets from -14:00 to +14:00: the window must not care which zone the clock reports.
zones = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=zones
)
within_window = st.timedeltas(min_value=timedelta(0), max_value=CLAIM_WINDOW)
past_window = st.timedeltas(
    min_value=CLAIM_WINDOW + timedelta(microseconds=1), max_value=timedelta(days=3650)
)
any_wait = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=36500))


def share_sent_at(sent_at: datetime, recipient_email: str = RECIPIENT_EMAIL) -> IssuedShare:
    documents = [
        Document(
            id=document_id,
            org_id="org-1",
            patient_id="patient-1",
            kind=DocumentKind.PLAN_OF_CARE,
            filename=f"{document_id}.pdf",
            content_type="application/pdf",
            size_bytes=1024,
            uploaded_by="staff-1",
            uploaded_at=sent_at,
        )
        for document_id in DOCUMENT_IDS
    ]
    return share_documents(
        documents,
        recipient_email=recipient_email,
        purpose="treatment",
        shared_by="staff-1",
        now=sent_at,
    )


def recipient(email: str = RECIPIENT_EMAIL, *, verified: bool = True) -> Account:
    return Account(id="acct-recipient", email=email, email_verified=verified)


@properties
@given(moments, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)), zones)
def test_the_first_open_claims_the_share_iff_it_comes_within_24_hours_of_sending(
    sent_at, wait, open_zone
):
    share = share_sent_at(sent_at).share
    opened_at = (sent_at + wait).astimezone(open_zone)

    if wait <= CLAIM_WINDOW:
        access = authorize_recipient_access(share, recipient(), opened_at)
        assert access.claimed_now is True
        assert share.claimed_at == opened_at
        assert share.status_at(opened_at) is ShareStatus.CLAIMED
    else:
        with pytest.raises(ShareExpired):
            authorize_recipient_access(share, recipient(), opened_at)
        assert share.claimed_at is None
        assert share.status_at(opened_at) is ShareStatus.EXPIRED
    assert track_share(share, opened_at).status is share.status_at(opened_at)


@properties
@given(moments, within_window, any_wait, zones)
def test_a_share_claimed_in_time_stays_available_for_good(sent_at, wait, later_wait, zone):
    share = share_sent_at(sent_at).share
    opened_at = sent_at + wait
    authorize_recipient_access(share, recipient(), opened_at)
    later = (opened_at + later_wait).astimezone(zone)

    again = authorize_recipient_access(share, recipient(), later)

    assert again.claimed_now is False
    assert again.document_ids == DOCUMENT_IDS
    assert share.claimed_at == opened_at
    tracking = track_share(share, later)
    assert (tracking.status, tracking.claim_deadline) == (ShareStatus.CLAIMED, None)


@properties
@given(moments, past_window, any_wait)
def test_an_unclaimed_share_once_expired_never_opens_again(sent_at, first_wait, later_wait):
    share = share_sent_at(sent_at).share

    for opened_at in (sent_at + first_wait, sent_at + first_wait + later_wait):
        with pytest.raises(ShareExpired):
            authorize_recipient_access(share, recipient(), opened_at)
    assert share.claimed_at is None


@properties
@given(moments, st.booleans(), within_window, any_wait, any_wait)
def test_a_revoked_share_refuses_every_open_after_revocation(
    sent_at, claimed_first, claim_wait, revoke_wait, open_wait
):
    share = share_sent_at(sent_at).share
    claimed_at = sent_at + claim_wait
    if claimed_first:
        authorize_recipient_access(share, recipient(), claimed_at)
    revoked_at = claimed_at + revoke_wait

    share.revoke("staff-1", revoked_at)

    with pytest.raises(ShareRevoked):
        authorize_recipient_access(share, recipient(), revoked_at + open_wait)
    assert share.status_at(revoked_at + open_wait) is ShareStatus.REVOKED
    assert (share.claimed_at is not None) is claimed_first


@properties
@given(moments, st.booleans(), any_wait, any_wait)
def test_resharing_supersedes_the_old_share_so_its_link_never_opens_again(
    sent_at, revoked_first, reshare_wait, open_wait
):
    old = share_sent_at(sent_at)
    resent_at = sent_at + reshare_wait
    if revoked_first:
        old.share.revoke("staff-1", resent_at)

    new = reshare(old.share, shared_by="staff-1", now=resent_at)

    with pytest.raises(ShareSuperseded):
        authorize_recipient_access(old.share, recipient(), resent_at + open_wait)
    assert old.share.superseded_by_id == new.share.id
    # The old email's token does not lead to the new share either.
    assert hash_share_token(old.token) != new.share.token_hash


@properties
@given(moments, any_wait, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)))
def test_a_reshare_gives_a_new_24_hour_window_starting_at_the_reshare(
    sent_at, reshare_wait, open_wait
):
    old = share_sent_at(sent_at).share
    resent_at = sent_at + reshare_wait
    new = reshare(old, shared_by="staff-1", now=resent_at).share
    opened_at = resent_at + open_wait

    assert new.sent_at == resent_at
    if open_wait <= CLAIM_WINDOW:
        assert authorize_recipient_access(new, recipient(), opened_at).claimed_now is True
    else:
        with pytest.raises(ShareExpired):
            authorize_recipient_access(new, recipient(), opened_at)


# Addresses the loose pattern in sharing accepts; hypothesis' emails() can exceed 254.
recipient_addresses = st.emails().filter(lambda email: len(email) <= 254)


@st.composite
def same_address_written_differently(draw: st.DrawFn, address: str) -> str:
    """The address with any letters upper-cased and blanks around it, as a person may type it."""
    flips = draw(st.lists(st.booleans(), min_size=len(address), max_size=len(address)))
    body = "".join(c.upper() if flip else c for c, flip in zip(address, flips, strict=True))
    blanks = st.sampled_from(["", " ", "\t", "  \n"])
    return draw(blanks) + body + draw(blanks)


@properties
@given(recipient_addresses, st.data(), st.booleans())
def test_the_link_opens_only_for_a_verified_account_with_the_recipients_address(
    recipient_email, data, verified
):
    share = share_sent_at(datetime(2025, 3, 3, 9, tzinfo=UTC), recipient_email).share
    signed_in_as = data.draw(
        same_address_written_differently(recipient_email) | recipient_addresses | st.text(),
        label="signed_in_as",
    )
    same_address = normalize_email(signed_in_as) == normalize_email(recipient_email)
    opened_at = share.sent_at + timedelta(hours=1)

    try:
        access = authorize_recipient_access(
            share, recipient(signed_in_as, verified=verified), opened_at
        )
    except WrongRecipient:
        assert not same_address
    except RecipientEmailUnverified:
        assert same_address and not verified
    else:
        assert same_address and verified
        assert access.claimed_now is True
    assert (share.claimed_at is not None) is (same_address and verified)


@properties
@given(recipient_addresses, st.data())
def test_any_other_address_is_refused_whatever_the_share_state(recipient_email, data):
    share = share_sent_at(datetime(2025, 3, 3, 9, tzinfo=UTC), recipient_email).share
    other = data.draw(
        (recipient_addresses | st.text()).filter(
            lambda email: normalize_email(email) != normalize_email(recipient_email)
        ),
        label="other",
    )
    wait = data.draw(any_wait, label="wait")
    if data.draw(st.booleans(), label="recipient_claimed_first"):
        authorize_recipient_access(share, recipient(recipient_email), share.sent_at)

    with pytest.raises(WrongRecipient):
        authorize_recipient_access(share, recipient(other), share.sent_at + wait)


def token_bits(token: str) -> int:
    return len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8


@properties
@given(moments)
def test_a_share_link_token_is_random_with_at_least_128_bits_and_only_its_hash_is_kept(sent_at):
    issued = share_sent_at(sent_at)
    twin = share_sent_at(sent_at)

    assert token_bits(issued.token) >= 128
    assert issued.token != twin.token
    assert issued.share.token_hash == hash_share_token(issued.token) != issued.token
    assert issued.token not in repr(issued.share)
    assert all(issued.token not in str(value) for value in vars(issued.share).values())


@properties
@given(st.text(), st.text())
def test_a_stored_hash_never_equals_its_token_and_matches_only_that_token(token, other):
    stored = hash_share_token(token)

    assert stored != token
    assert (hash_share_token(other) == stored) is (other == token)

