"""Service accounts and the client credentials grant: the rules, without a database."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from identity.domain.client_credentials import (
    authenticate_client,
    granted_scope,
    read_token_request,
)
from identity.domain.errors import (
    InvalidClient,
    InvalidRequest,
    InvalidScope,
    StateConflict,
    TokenRequestRefused,
    UnknownServiceScope,
    UnsupportedGrantType,
)
from identity.domain.service_accounts import (
    SCOPES,
    AccountKind,
    new_automation_credentials,
    new_client_secret,
    new_service_account,
)

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def practice_account(scope: str = "view_audit", practice_id: str | None = "practice-1"):
    return new_service_account(account_id="sa-1", practice_id=practice_id, name=" SIEM  feed ",
                               scope=scope, created_by="admin-1", now=NOW)


def request(**overrides):
    fields = {"grant_type": "client_credentials", "client_id": "svc_1", "client_secret": "s",
              "basic": None, "scope": None, **overrides}
    return read_token_request(**fields)


def test_a_new_account_shows_its_secret_once_and_keeps_only_the_sha256():
    account, secret = practice_account()
    assert account.secret_hash == hashlib.sha256(secret.raw.encode()).hexdigest()
    assert secret.raw not in repr(account)
    assert (account.name, account.kind, account.version, account.active) == (
        "SIEM feed", AccountKind.SERVICE, 1, True)
    assert account.client_id.startswith("svc_") and account.token_subject == "sa-1"


def test_a_practice_account_holds_only_practice_scopes():
    with pytest.raises(UnknownServiceScope) as refused:
        practice_account("security")
    assert refused.value.details["known"] == ["view_audit"]
    with pytest.raises(UnknownServiceScope):
        practice_account("manage_users")


def test_the_security_scope_belongs_to_the_vendor_wide_account_only():
    account, _ = practice_account("security", practice_id=None)
    assert account.practice_id is None and SCOPES["security"].vendor_wide
    with pytest.raises(UnknownServiceScope) as refused:
        practice_account("view_audit", practice_id=None)
    assert refused.value.details["known"] == ["security"]


def test_every_scope_gives_view_audit_and_never_manage_users():
    assert all(s.permissions == {"view_audit"} for s in SCOPES.values())


def test_an_account_needs_a_name():
    with pytest.raises(InvalidRequest):
        new_service_account(account_id="sa-1", practice_id="p", name="  ", scope="view_audit",
                            created_by="a", now=NOW)


def test_rotation_replaces_the_secret_and_raises_the_version():
    account, old = practice_account()
    new = new_client_secret()
    rotated = account.rotated(new, NOW + timedelta(days=1))
    assert (rotated.version, rotated.secret_hash, rotated.rotated_at) == (
        2, new.hash, NOW + timedelta(days=1))
    assert authenticate_client(rotated, new.raw) == rotated
    with pytest.raises(InvalidClient):
        authenticate_client(rotated, old.raw)


def test_revocation_raises_the_version_and_refuses_every_secret_after():
    account, secret = practice_account()
    revoked = account.revoked("admin-1", NOW)
    assert (revoked.version, revoked.active, revoked.revoked_by) == (2, False, "admin-1")
    with pytest.raises(InvalidClient):
        authenticate_client(revoked, secret.raw)
    with pytest.raises(StateConflict):
        revoked.rotated(new_client_secret(), NOW)
    with pytest.raises(StateConflict):
        revoked.revoked("admin-1", NOW)


def test_unknown_client_wrong_secret_and_revoked_get_the_same_answer():
    account, secret = practice_account()
    answers = []
    for candidate, given in [(None, secret.raw), (account, "wrong"),
                             (account.revoked("a", NOW), secret.raw)]:
        with pytest.raises(InvalidClient) as refused:
            authenticate_client(candidate, given)
        answers.append((refused.value.code, refused.value.message, refused.value.details))
    assert len(set(map(repr, answers))) == 1


def test_a_practice_has_one_active_set_of_automation_credentials():
    first, _ = new_automation_credentials(
        account_id="a-1", practice_id="p", automation_user_id="robot", existing=[],
        created_by="support-admin", now=NOW)
    assert (first.kind, first.scope, first.token_subject) == (
        AccountKind.AUTOMATION, "automation", "robot")
    with pytest.raises(StateConflict):
        new_automation_credentials(account_id="a-2", practice_id="p", automation_user_id="robot",
                                   existing=[first], created_by="support-admin", now=NOW)
    again, _ = new_automation_credentials(
        account_id="a-2", practice_id="p", automation_user_id="robot",
        existing=[first.revoked("support-admin", NOW)], created_by="support-admin", now=NOW)
    assert again.active


def test_only_the_client_credentials_grant_is_issued():
    with pytest.raises(UnsupportedGrantType):
        request(grant_type="password")
    with pytest.raises(TokenRequestRefused) as missing:
        request(grant_type=None)
    assert missing.value.code == "invalid_request"


def test_credentials_come_from_the_body_or_http_basic_but_not_both():
    assert request().client_id == "svc_1"
    basic = request(client_id=None, client_secret=None, basic=("svc_2", "s2"))
    assert (basic.client_id, basic.client_secret) == ("svc_2", "s2")
    with pytest.raises(TokenRequestRefused):
        request(basic=("svc_2", "s2"))
    with pytest.raises(InvalidClient):
        request(client_secret=None)


def test_a_client_gets_its_own_scope_and_no_other():
    account, _ = practice_account()
    assert granted_scope(account, None) == "view_audit"
    assert granted_scope(account, "view_audit") == "view_audit"
    with pytest.raises(InvalidScope):
        granted_scope(account, "view_audit security")
