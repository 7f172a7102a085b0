from datetime import timedelta

import jwt
import pytest

from docportal.adapters.identity_client import PROOF_AUDIENCE, PROOF_ISSUER, email_proof
from docportal.domain.errors import (
    RegistrationEmailMismatch,
    ShareExpired,
    ShareRevoked,
    WrongRecipient,
)
from docportal.domain.recipients import check_registration, refused_attempt
from docportal.domain.shares import ShareStatus

SECRET = "proof-secret-shared-with-identity"


def test_the_recipient_may_register_from_a_live_link(issued, sent_at):
    address = check_registration(issued.share, " Dr.Lee@Example.org ", sent_at)

    assert address == "dr.lee@example.org"
    assert issued.share.claimed_at is None  # registering claims nothing by itself


def test_registering_with_another_address_is_refused(issued, sent_at):
    with pytest.raises(RegistrationEmailMismatch) as refused:
        check_registration(issued.share, "eve@example.net", sent_at)

    assert "dr.lee" not in refused.value.message


def test_no_registration_from_an_expired_link(issued, sent_at):
    with pytest.raises(ShareExpired, match="Ask the sender to share it again"):
        check_registration(issued.share, "dr.lee@example.org",
                           sent_at + timedelta(hours=24, seconds=1))


def test_no_registration_from_a_revoked_link(issued, sent_at):
    issued.share.revoke("staff-1", sent_at + timedelta(minutes=5))

    with pytest.raises(ShareRevoked):
        check_registration(issued.share, "dr.lee@example.org", sent_at + timedelta(minutes=6))


def test_a_claimed_share_still_opens_after_the_window(issued, recipient, sent_at):
    issued.share.claim(recipient.id, sent_at + timedelta(hours=1))

    assert issued.share.check_open(sent_at + timedelta(days=30)) is ShareStatus.CLAIMED


def test_a_refused_attempt_names_the_reason_account_and_client(issued, stranger, sent_at):
    refusal = WrongRecipient("not for you", {"share_id": issued.share.id})

    attempt = refused_attempt(issued.share, refusal, stranger, "203.0.113.7 Firefox\x00",
                              sent_at, document_id="doc-1")

    assert (attempt.share_id, attempt.reason, attempt.account_id, attempt.document_id) == (
        issued.share.id, "wrong_recipient", stranger.id, "doc-1")
    assert attempt.client == "203.0.113.7 Firefox" and attempt.at == sent_at


def test_the_email_proof_is_the_contracts_hs256_jwt(sent_at):
    proof = email_proof(" Dr.Lee@Example.org", SECRET, sent_at)

    claims = jwt.decode(proof, SECRET, algorithms=["HS256"], audience=PROOF_AUDIENCE,
                        issuer=PROOF_ISSUER, options={"verify_exp": False,
                                                      "require": ["exp", "iat", "sub", "jti"]})
    assert claims["sub"] == "dr.lee@example.org"
    assert claims["exp"] - claims["iat"] == 30 * 60
    assert jwt.get_unverified_header(proof)["alg"] == "HS256"
    assert email_proof("dr.lee@example.org", SECRET, sent_at) != proof  # a fresh jti each time
