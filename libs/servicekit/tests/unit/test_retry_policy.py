from servicekit.messaging.consumer import RetryPolicy


def test_backoff_doubles_and_is_bounded():
    policy = RetryPolicy(max_attempts=5, backoff_seconds=0.5)
    assert [policy.delay(n) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert policy.delay(30) == 10.0
