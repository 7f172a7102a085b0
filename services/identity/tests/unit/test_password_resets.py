from datetime import timedelta

import pytest

from identity.domain.errors import LinkExpired, LinkUnusable
from identity.domain.password_resets import issue_password_reset, redeem_password_reset
from identity.domain.tokens import hash_token


def test_a_reset_link_stores_only_the_token_hash(now):
    reset, token = issue_password_reset("user-1", now)
    assert reset.token_hash == hash_token(token.raw)


def test_a_reset_link_works_within_the_hour(now):
    reset, token = issue_password_reset("user-1", now)
    used = redeem_password_reset(reset, token.raw, now + timedelta(minutes=59))
    assert used.used_at == now + timedelta(minutes=59)


def test_a_reset_link_expires_after_one_hour(now):
    reset, token = issue_password_reset("user-1", now)
    with pytest.raises(LinkExpired, match="Ask for a new one"):
        redeem_password_reset(reset, token.raw, now + timedelta(hours=1))


def test_a_reset_link_is_single_use(now):
    reset, token = issue_password_reset("user-1", now)
    used = redeem_password_reset(reset, token.raw, now)
    with pytest.raises(LinkUnusable, match="already used"):
        redeem_password_reset(used, token.raw, now)


def test_a_wrong_token_is_refused(now):
    reset, _ = issue_password_reset("user-1", now)
    with pytest.raises(LinkUnusable, match="not valid"):
        redeem_password_reset(reset, "guess", now)
