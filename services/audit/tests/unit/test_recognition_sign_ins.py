from datetime import UTC, datetime, timedelta

from audit.domain.recognition import Profile, Severity
from audit.domain.signins import (
    BurstPolicy,
    SignInAttempt,
    detect_failed_sign_in_bursts,
    recognize_sign_in,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DANA = Profile("u-1", "dana@sunrise-pt.com", "Dana Reyes", "staff", "active")


def failure(email="dana@sunrise-pt.com", ago=timedelta(seconds=10), org="org-1"):
    return SignInAttempt(email=email, org_id=org, occurred_at=NOW - ago, succeeded=False)


def reasons(alerts):
    return [a.reason for a in alerts]


def test_sign_in_to_active_account_is_not_an_alert():
    attempt = SignInAttempt(DANA.email, "org-1", NOW, succeeded=True, user_id=DANA.id)
    assert recognize_sign_in(DANA, attempt).recognized


def test_successful_sign_in_to_deactivated_account_raises_critical_alert():
    gone = Profile("u-1", DANA.email, DANA.full_name, "staff", "deactivated")
    result = recognize_sign_in(gone, SignInAttempt(gone.email, "org-1", NOW, succeeded=True))
    assert not result.recognized
    assert result.reason == "sign_in_to_deactivated_account"
    assert result.severity is Severity.CRITICAL


def test_failed_sign_in_to_deactivated_account_raises_medium_alert():
    gone = Profile("u-1", DANA.email, DANA.full_name, "staff", "deactivated")
    result = recognize_sign_in(gone, SignInAttempt(gone.email, "org-1", NOW, succeeded=False))
    assert (result.recognized, result.severity) == (False, Severity.MEDIUM)


def test_five_failed_sign_ins_for_one_account_within_five_minutes_raise_alert():
    failures = [failure(ago=timedelta(minutes=m)) for m in (0, 1, 2, 3, 4.9)]
    alerts = detect_failed_sign_in_bursts(failures, NOW)
    assert reasons(alerts) == ["failed_sign_in_burst_account"]
    assert alerts[0].severity is Severity.MEDIUM
    assert "dana@sunrise-pt.com" in alerts[0].message


def test_four_failed_sign_ins_for_one_account_are_not_a_burst():
    failures = [failure(ago=timedelta(minutes=m)) for m in (0, 1, 2, 3)]
    assert detect_failed_sign_in_bursts(failures, NOW) == []


def test_failures_older_than_the_window_do_not_count():
    # The fifth failure is exactly five minutes old: outside the (now - 5 min, now] window.
    failures = [failure(ago=timedelta(minutes=m)) for m in (0, 1, 2, 3, 5)]
    assert detect_failed_sign_in_bursts(failures, NOW) == []


def test_failures_after_now_do_not_count():
    failures = [failure(ago=timedelta(minutes=m)) for m in (0, 1, 2, 3, -1)]
    assert detect_failed_sign_in_bursts(failures, NOW) == []


def test_account_burst_counts_emails_case_insensitively():
    emails = ["dana@sunrise-pt.com", "DANA@sunrise-pt.com", "Dana@Sunrise-PT.com"] * 2
    alerts = detect_failed_sign_in_bursts([failure(email=e) for e in emails[:5]], NOW)
    assert reasons(alerts) == ["failed_sign_in_burst_account"]


def test_successful_sign_ins_do_not_count_toward_a_burst():
    attempts = [failure() for _ in range(4)]
    attempts.append(SignInAttempt(DANA.email, "org-1", NOW, succeeded=True))
    assert detect_failed_sign_in_bursts(attempts, NOW) == []


def test_twenty_failed_sign_ins_across_a_practice_raise_high_alert():
    failures = [failure(email=f"user{i}@sunrise-pt.com") for i in range(20)]
    alerts = detect_failed_sign_in_bursts(failures, NOW)
    assert reasons(alerts) == ["failed_sign_in_burst_practice"]
    assert alerts[0].severity is Severity.HIGH
    assert alerts[0].note == "practice org-1"


def test_nineteen_failed_sign_ins_across_a_practice_are_not_a_burst():
    failures = [failure(email=f"user{i}@sunrise-pt.com") for i in range(19)]
    assert detect_failed_sign_in_bursts(failures, NOW) == []


def test_failures_in_different_practices_are_counted_apart():
    failures = [failure(email=f"u{i}@x.com", org=f"org-{i % 2}") for i in range(30)]
    assert detect_failed_sign_in_bursts(failures, NOW) == []


def test_one_account_hammered_raises_both_alerts():
    alerts = detect_failed_sign_in_bursts([failure() for _ in range(20)], NOW)
    assert reasons(alerts) == ["failed_sign_in_burst_account", "failed_sign_in_burst_practice"]


def test_burst_policy_is_configurable():
    strict = BurstPolicy(window=timedelta(minutes=1), per_account=2, per_practice=100)
    failures = [failure(ago=timedelta(seconds=s)) for s in (5, 50)]
    assert reasons(detect_failed_sign_in_bursts(failures, NOW, strict)) == [
        "failed_sign_in_burst_account"
    ]
