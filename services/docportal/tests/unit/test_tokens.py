import base64
import hashlib
import re

from docportal.domain.tokens import hash_share_token, new_share_token


def test_share_tokens_carry_at_least_128_random_bits_in_url_safe_text():
    tokens = {new_share_token() for _ in range(50)}

    assert len(tokens) == 50
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
        assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= 128


def test_token_is_stored_as_its_sha256_digest():
    token = new_share_token()

    assert hash_share_token(token) == hashlib.sha256(token.encode()).hexdigest()
    assert hash_share_token(token) == hash_share_token(token)
    assert hash_share_token(token) != hash_share_token(new_share_token())
