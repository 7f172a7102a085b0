"""The email proof a recipient registers with, and what vendor support holds in a practice."""

from __future__ import annotations

import time

import jwt
import pytest

from identity.domain.permissions import MANAGE_USERS, SHARE_DOCUMENTS, VIEW_AUDIT
from identity.domain.vendor_support import VENDOR_SUPPORT_PERMISSIONS
from identity.service_layer.errors import InvalidProof
from identity.service_layer.recipients import PROOF_AUDIENCE, PROOF_ISSUER, proven_email

SECRET = "a shared secret of at least thirty-two bytes"


def proof(**claims: object) -> str:
    now = int(time.time())
    payload = {"iss": PROOF_ISSUER, "aud": PROOF_AUDIENCE, "sub": "dr.lane@ortho.example",
               "iat": now, "exp": now + 1800, "jti": "j-1", **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, SECRET,
                      algorithm="HS256")


def test_a_portal_proof_yields_the_lower_cased_email():
    assert proven_email(proof(sub="Dr.Lane@Ortho.example"), SECRET) == "dr.lane@ortho.example"


@pytest.mark.parametrize("claims", [{"sub": None}, {"iat": None}, {"exp": None}, {"jti": None},
                                    {"sub": "not an address"},
                                    {"exp": int(time.time()) + 24 * 3600}])
def test_a_proof_missing_a_claim_or_living_too_long_is_refused(claims):
    with pytest.raises(InvalidProof):
        proven_email(proof(**claims), SECRET)


def test_no_secret_configured_accepts_nothing():
    with pytest.raises(InvalidProof):
        proven_email(proof(), "")


def test_vendor_support_reads_but_never_manages_shares_or_audits():
    assert {MANAGE_USERS, SHARE_DOCUMENTS, VIEW_AUDIT}.isdisjoint(VENDOR_SUPPORT_PERMISSIONS)
    assert sorted(VENDOR_SUPPORT_PERMISSIONS) == ["view_patients"]
