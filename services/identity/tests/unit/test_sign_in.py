"""Sign-in throttling: guessing from an address slows that address; the owner gets in."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from identity.domain.errors import SignInRefused, SignInThrottled
from identity.domain.sign_in import (
    FAILURE_WINDOW,
    HOT_ACCOUNT_FAILURES,
    LONGEST_BACKOFF,
    Failure,
    backoff,
    decide_sign_in,
    retry_at,
)

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
GUESSER, OWNER = "203.0.113.9", "198.51.100.20"


def failures_from(address, count, start=NOW, spacing=timedelta(seconds=1)):
    return [Failure(start + spacing * i, address) for i in range(count)]


def test_unknown_email_and_wrong_password_get_the_same_answer(now):
    # The caller folds "no such account" and "wrong password" into the same input.
    unknown_email = decide_sign_in(False, [], GUESSER, now)
    wrong_password = decide_sign_in(False, [], GUESSER, now)
    assert isinstance(unknown_email.refusal, SignInRefused)
    assert not unknown_email.throttled
    assert unknown_email.refusal.message == wrong_password.refusal.message
    assert unknown_email.refusal.code == "sign_in_refused"
    assert unknown_email.refusal.details == wrong_password.refusal.details == {}


def test_a_wrong_password_is_recorded_and_a_right_one_is_not(now):
    assert decide_sign_in(False, [], GUESSER, now).record_failure
    accepted = decide_sign_in(True, [], GUESSER, now)
    assert accepted.accepted and not accepted.record_failure and accepted.refusal is None


def test_the_fifth_failure_from_an_address_makes_it_wait_thirty_seconds(now):
    four = failures_from(GUESSER, 4, start=now - timedelta(seconds=10))
    fifth = decide_sign_in(False, four, GUESSER, now)
    assert fifth.throttled and fifth.record_failure
    assert fifth.refusal.code == "sign_in_throttled"
    assert fifth.refusal.details == {"retry_after_seconds": 30}


def test_a_waiting_address_is_refused_even_the_right_password_without_recording(now):
    five = failures_from(GUESSER, 5, start=now - timedelta(seconds=10))
    decision = decide_sign_in(True, five, GUESSER, now)
    assert not decision.accepted and decision.throttled and not decision.record_failure
    assert 0 < decision.refusal.details["retry_after_seconds"] <= 30


def test_each_further_failure_doubles_the_wait_up_to_fifteen_minutes():
    assert [backoff(n) for n in range(7)] == [timedelta(seconds=s) for s in
                                              (30, 60, 120, 240, 480, 900, 900)]
    assert backoff(10_000) == LONGEST_BACKOFF


def test_the_wait_ends_and_the_address_may_try_again(now):
    five = failures_from(GUESSER, 5, start=now)
    last = five[-1].at
    assert retry_at(five, GUESSER, last + timedelta(seconds=29)) == last + timedelta(seconds=30)
    assert retry_at(five, GUESSER, last + timedelta(seconds=30)) is None
    assert decide_sign_in(True, five, GUESSER, last + timedelta(seconds=30)).accepted


def test_failures_older_than_fifteen_minutes_no_longer_count(now):
    old = failures_from(GUESSER, 9, start=now - FAILURE_WINDOW - timedelta(minutes=1))
    decision = decide_sign_in(False, old, GUESSER, now)
    assert not decision.throttled


def test_the_owner_at_a_clean_address_gets_in_while_another_address_is_throttled(now):
    guessing = failures_from(GUESSER, 12, start=now - timedelta(minutes=5))
    assert decide_sign_in(False, guessing, GUESSER, now).throttled
    assert decide_sign_in(True, guessing, OWNER, now).accepted


def test_a_guess_spread_over_many_addresses_leaves_each_one_a_single_free_try(now):
    spread = [Failure(now - timedelta(seconds=20 - i), f"10.0.0.{i}")
              for i in range(HOT_ACCOUNT_FAILURES)]
    again = decide_sign_in(False, spread, "10.0.0.3", now)
    assert again.throttled and not again.record_failure  # its one free failure is spent
    assert again.refusal.details == {"retry_after_seconds": 13}  # 30 s after it
    fresh = decide_sign_in(False, spread, "10.0.9.9", now)
    assert fresh.record_failure and fresh.throttled  # its first failure starts a wait
    assert decide_sign_in(True, spread, OWNER, now).accepted


def test_below_the_hot_mark_other_addresses_keep_their_five_free_tries(now):
    # Eighteen failures, and this one makes nineteen: not yet a guess spread wide.
    spread = [Failure(now - timedelta(seconds=30), f"10.0.0.{i}")
              for i in range(HOT_ACCOUNT_FAILURES - 2)]
    assert not decide_sign_in(False, spread, "10.0.0.3", now).throttled


def test_the_wait_message_says_when_to_try_again_or_to_reset(now):
    five = failures_from(GUESSER, 5, start=now - timedelta(seconds=10))
    refusal = decide_sign_in(False, five, GUESSER, now).refusal
    assert isinstance(refusal, SignInThrottled)
    assert "Try again in" in refusal.message and "reset your password" in refusal.message


addresses = st.sampled_from([GUESSER, "10.0.0.1", "10.0.0.2", "10.0.0.3", "2001:db8::1"])
histories = st.lists(
    st.builds(Failure, st.integers(0, 3_600).map(lambda s: NOW - timedelta(seconds=s)),
              addresses), max_size=80)


@settings(max_examples=300, deadline=None)
@given(histories)
def test_the_right_password_from_an_address_with_no_recent_failure_is_always_accepted(
        history):
    assert decide_sign_in(True, history, OWNER, NOW).accepted


@settings(max_examples=300, deadline=None)
@given(histories, addresses, st.booleans())
def test_a_wait_never_outlasts_fifteen_minutes_after_the_last_failure(
        history, address, valid):
    decision = decide_sign_in(valid, history, address, NOW)
    if decision.throttled:
        assert decision.refusal.details["retry_after_seconds"] <= LONGEST_BACKOFF.seconds
        assert retry_at(history, address, NOW + LONGEST_BACKOFF) is None


@settings(max_examples=300, deadline=None)
@given(histories, addresses)
def test_an_address_never_gets_more_than_five_quick_guesses(history, address):
    """Within one second, an address records at most five failures, however it starts."""
    recorded = list(history)
    guesses = 0
    for tick in range(20):
        decision = decide_sign_in(False, recorded, address, NOW + timedelta(milliseconds=tick))
        if decision.record_failure:
            guesses += 1
            recorded.append(Failure(NOW + timedelta(milliseconds=tick), address))
    assert guesses <= 5
