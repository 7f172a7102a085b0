from datetime import timedelta

from identity.domain.errors import SignInRefused
from identity.domain.sign_in import decide_sign_in, locked_until


def fail_times(now, count, spacing=timedelta(seconds=30)):
    return [now + spacing * i for i in range(count)]


def test_unknown_email_and_wrong_password_get_the_same_answer(now):
    # The caller folds "no such account" and "wrong password" into the same input.
    unknown_email = decide_sign_in(False, [], now)
    wrong_password = decide_sign_in(False, [], now)
    assert isinstance(unknown_email.refusal, SignInRefused)
    assert unknown_email.refusal.message == wrong_password.refusal.message
    assert unknown_email.refusal.code == "sign_in_refused"
    assert unknown_email.refusal.details == wrong_password.refusal.details == {}


def test_a_wrong_password_is_recorded(now):
    decision = decide_sign_in(False, [], now)
    assert not decision.accepted and decision.failures == (now,)
    assert decision.locked_until is None


def test_the_tenth_failure_within_fifteen_minutes_locks_for_fifteen_minutes(now):
    nine = fail_times(now, 9)
    tenth = now + timedelta(minutes=10)
    decision = decide_sign_in(False, nine, tenth)
    assert decision.locked_until == tenth + timedelta(minutes=15)
    assert decision.refusal.details["retry_after_seconds"] == 15 * 60
    assert "Try again in 15 minute(s)" in decision.refusal.message


def test_nine_failures_do_not_lock(now):
    assert (
        decide_sign_in(False, fail_times(now, 8), now + timedelta(minutes=5)).locked_until is None
    )


def test_a_locked_account_refuses_even_the_right_password(now):
    failures = fail_times(now, 10)
    decision = decide_sign_in(True, failures, now + timedelta(minutes=10))
    assert not decision.accepted
    assert isinstance(decision.refusal, SignInRefused)


def test_attempts_during_a_lock_do_not_extend_it(now):
    failures = fail_times(now, 10)
    lock_end = failures[-1] + timedelta(minutes=15)
    decision = decide_sign_in(False, failures, now + timedelta(minutes=12))
    assert decision.failures == tuple(failures)
    assert decision.locked_until == lock_end


def test_the_lock_lifts_after_fifteen_minutes(now):
    failures = fail_times(now, 10)
    lock_end = failures[-1] + timedelta(minutes=15)
    assert locked_until(failures, lock_end - timedelta(seconds=1)) == lock_end
    assert decide_sign_in(True, failures, lock_end).accepted


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(now):
    spread = fail_times(now, 10, spacing=timedelta(minutes=2))  # 18 minutes first to last
    assert locked_until(spread, spread[-1]) is None


def test_a_successful_sign_in_clears_the_failures(now):
    decision = decide_sign_in(True, fail_times(now, 5), now + timedelta(minutes=5))
    assert decision.accepted and decision.failures == () and decision.refusal is None


def test_old_failures_are_forgotten(now):
    old = fail_times(now - timedelta(hours=2), 9)
    decision = decide_sign_in(False, old, now)
    assert decision.failures == (now,)
    assert decision.locked_until is None
