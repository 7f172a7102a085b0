"""The second factor's rules: who needs one, codes once each within the drift, recovery
codes, and the wrong-code limit (checked against pyotp, a real RFC 6238 client)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from identity.domain import second_factor as rules
from identity.domain.errors import SecondFactorThrottled
from identity.domain.users import UserKind

NOW = datetime(2026, 12, 7, 21, 30, 10, tzinfo=UTC)


def enrolled() -> rules.SecondFactor:
    return replace(rules.new_secret("u1"), enrolled_at=NOW - timedelta(days=1))


def code_at(factor: rules.SecondFactor, moment: datetime) -> str:
    return pyotp.TOTP(factor.secret).at(moment)


@pytest.mark.parametrize(("kind", "permissions", "practice_requires", "reason"), [
    (UserKind.STAFF, frozenset({"manage_users"}), False, "user_manager"),
    (UserKind.VENDOR, frozenset(), False, "vendor_staff"),
    (UserKind.STAFF, frozenset({"view_patients"}), True, "practice_policy"),
    (UserKind.STAFF, frozenset({"view_patients"}), False, None),
    (UserKind.RECIPIENT, frozenset(), True, None),
    (UserKind.AUTOMATION, frozenset({"view_patients"}), True, None),
])
def test_user_managers_and_vendor_staff_always_need_one_the_rest_by_practice_policy(
        kind, permissions, practice_requires, reason):
    assert rules.requirement(kind, permissions, practice_requires) == reason


def test_the_code_an_authenticator_app_shows_now_is_accepted_once():
    factor = enrolled()
    step = rules.matching_step(factor, code_at(factor, NOW), NOW)
    assert step == rules.time_step(NOW)
    used = rules.code_accepted(factor, step)
    assert rules.matching_step(used, code_at(factor, NOW), NOW) is None  # no replay


def test_one_step_of_clock_drift_either_way_is_accepted_and_no_more():
    factor = enrolled()
    for seconds, accepted in [(-30, True), (30, True), (-61, False), (61, False)]:
        code = code_at(factor, NOW + timedelta(seconds=seconds))
        assert (rules.matching_step(factor, code, NOW) is not None) is accepted, seconds


def test_a_code_older_than_the_last_one_used_is_refused():
    factor = enrolled()
    later = rules.code_accepted(factor, rules.time_step(NOW) + 1)
    assert rules.matching_step(later, code_at(factor, NOW), NOW) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_never_match(code):
    assert rules.matching_step(enrolled(), code, NOW) is None


def test_spaces_in_a_typed_code_are_ignored():
    factor = enrolled()
    code = code_at(factor, NOW)
    assert rules.matching_step(factor, f"{code[:3]} {code[3:]}", NOW) is not None


def test_ten_wrong_codes_stop_every_code_for_fifteen_minutes_then_the_count_restarts():
    factor = enrolled()
    for _ in range(rules.MOST_WRONG_CODES - 1):
        factor = rules.code_refused(factor, NOW)
    rules.check_not_throttled(factor, NOW)  # nine: still taking codes
    factor = rules.code_refused(factor, NOW)
    with pytest.raises(SecondFactorThrottled) as refused:
        rules.check_not_throttled(factor, NOW + timedelta(minutes=5))
    assert refused.value.details["retry_after_seconds"] == 600
    rules.check_not_throttled(factor, NOW + rules.WRONG_CODE_WINDOW)
    assert rules.code_refused(factor, NOW + rules.WRONG_CODE_WINDOW).wrong_codes == 1


def test_a_right_code_clears_the_wrong_count():
    factor = rules.code_refused(enrolled(), NOW)
    assert rules.code_accepted(factor, 5).wrong_codes == 0


def test_recovery_codes_are_ten_distinct_codes_hashed_whatever_the_typing():
    codes = rules.new_recovery_codes()
    assert len(set(codes)) == rules.RECOVERY_CODE_COUNT
    assert all(rules.looks_like_recovery_code(code) for code in codes)
    code = codes[0]
    assert rules.recovery_code_hash(code.upper().replace("-", " ")) == \
        rules.recovery_code_hash(code)
    assert not rules.looks_like_recovery_code("123456")


def test_the_provisioning_address_carries_issuer_and_account():
    uri = rules.provisioning_uri(enrolled(), "owner@harbourphysio.example", "Clinic Platform")
    parsed = pyotp.parse_uri(uri)
    assert parsed.issuer == "Clinic Platform"
    assert parsed.name == "owner@harbourphysio.example"
