from servicekit.messaging.consumer import RetryPolicy


def test_backoff_doubles_and_is_bounded():
    policy = RetryPolicy(max_attempts=5, backoff_seconds=0.5)
    assert [policy.delay(n) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert policy.delay(30) == 10.0


def test_only_connection_level_database_errors_make_a_consumer_wait():
    from sqlalchemy.exc import IntegrityError, OperationalError

    from servicekit.messaging.consumer import is_database_unavailable

    def operational(text: str) -> OperationalError:
        return OperationalError("SELECT 1", {}, Exception(text))

    assert is_database_unavailable(operational(
        'connection failed: connection to server at "127.0.0.1", port 5433 failed: '
        "Connection refused"))
    assert is_database_unavailable(operational("server closed the connection unexpectedly"))
    assert is_database_unavailable(operational("the database system is shutting down"))
    assert not is_database_unavailable(operational("deadlock detected"))
    assert not is_database_unavailable(IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not is_database_unavailable(KeyError("user_type"))
