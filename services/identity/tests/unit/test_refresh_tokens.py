from datetime import timedelta

from identity.domain.refresh_tokens import (
    FAMILY_LIFETIME,
    TOKEN_LIFETIME,
    revoke_family,
    start_family,
    use_refresh_token,
)
from identity.domain.tokens import hash_token


def test_a_family_stores_only_the_token_hash(now):
    family, token = start_family("fam-1", "user-1", now)
    assert family.current_hash == hash_token(token.raw)
    assert token.raw not in repr(family)


def test_using_a_refresh_token_rotates_it(now):
    family, first = start_family("fam-1", "user-1", now)
    outcome = use_refresh_token(family, first.raw, now + timedelta(minutes=5))
    assert outcome.accepted
    assert outcome.token.raw != first.raw
    assert outcome.family.current_hash == outcome.token.hash
    assert outcome.family.holds(first.hash)


def test_reusing_a_rotated_token_revokes_the_whole_family(now):
    family, first = start_family("fam-1", "user-1", now)
    rotated = use_refresh_token(family, first.raw, now + timedelta(minutes=5))
    stolen = use_refresh_token(rotated.family, first.raw, now + timedelta(minutes=6))
    assert not stolen.accepted
    assert stolen.refusal.details["reason"] == "reuse_detected"
    assert stolen.family.revoked_reason == "reuse_detected"
    # The owner's newest token dies with the family.
    owner = use_refresh_token(stolen.family, rotated.token.raw, now + timedelta(minutes=7))
    assert not owner.accepted and owner.refusal.details["reason"] == "revoked"


def test_a_token_the_family_never_issued_is_refused(now):
    family, _ = start_family("fam-1", "user-1", now)
    outcome = use_refresh_token(family, "made-up", now)
    assert outcome.refusal.details["reason"] == "unknown"
    assert outcome.family == family


def test_an_unused_token_expires(now):
    family, token = start_family("fam-1", "user-1", now)
    outcome = use_refresh_token(family, token.raw, now + TOKEN_LIFETIME)
    assert outcome.refusal.details["reason"] == "expired"


def test_a_busy_family_still_ends_at_its_lifetime(now):
    family, token = start_family("fam-1", "user-1", now)
    moment = now
    while moment < now + FAMILY_LIFETIME - timedelta(days=1):
        moment += timedelta(days=1)
        outcome = use_refresh_token(family, token.raw, moment)
        assert outcome.accepted
        family, token = outcome.family, outcome.token
    assert family.current_expires_at == now + FAMILY_LIFETIME
    assert not use_refresh_token(family, token.raw, now + FAMILY_LIFETIME).accepted


def test_a_signed_out_family_refuses_its_current_token(now):
    family, token = start_family("fam-1", "user-1", now)
    signed_out = revoke_family(family, now, reason="signed_out")
    assert revoke_family(signed_out, now + timedelta(hours=1), reason="again") == signed_out
    assert not use_refresh_token(signed_out, token.raw, now).accepted
