import base64
import hashlib

from identity.domain.tokens import hash_token, issue_token, token_matches


def test_tokens_carry_at_least_128_bits_of_randomness():
    raw = issue_token().raw
    decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    assert len(decoded) * 8 >= 128


def test_tokens_are_never_repeated():
    assert len({issue_token().raw for _ in range(200)}) == 200


def test_only_the_sha256_hash_is_kept():
    token = issue_token()
    assert token.hash == hashlib.sha256(token.raw.encode()).hexdigest()
    assert token.raw not in token.hash


def test_a_token_matches_only_its_own_hash():
    token = issue_token()
    assert token_matches(token.raw, token.hash)
    assert not token_matches(token.raw + "x", token.hash)
    assert hash_token("a") != hash_token("b")
