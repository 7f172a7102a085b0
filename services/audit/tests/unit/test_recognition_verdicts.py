"""A profile as of a moment, and what a change of verdict does to alerts."""

from datetime import UTC, datetime, timedelta

from audit.domain.profile_history import ProfileStatement, profile_as_of
from audit.domain.recognition import Recognition, Severity
from audit.domain.verdicts import Judgement, Verdict, change_of_verdict

T = datetime(2026, 11, 23, 9, tzinfo=UTC)
CREATED = ProfileStatement("e-1", T, {"email": "a@x.example", "permissions": '["view"]'}, "o-1")
PROMOTED = ProfileStatement("e-2", T + timedelta(minutes=1), {"permissions": '["manage_users"]'})
DEACTIVATED = ProfileStatement("e-3", T + timedelta(minutes=2), {"status": "deactivated"})
UNKNOWN_DOMAIN = Recognition(False, "unrecognized_domain", "…", Severity.HIGH)
FINE = Recognition(True, "practice_domain", "…", Severity.LOW)


def test_statements_fold_in_time_order_whatever_order_they_arrived_in():
    assert profile_as_of([DEACTIVATED, PROMOTED, CREATED]) == profile_as_of(
        [CREATED, PROMOTED, DEACTIVATED])
    assert profile_as_of([PROMOTED, CREATED])["permissions"] == '["manage_users"]'


def test_a_profile_as_of_a_moment_ignores_what_was_stated_after_it():
    then = profile_as_of([DEACTIVATED, PROMOTED, CREATED], T + timedelta(seconds=30))
    assert (then["permissions"], then.get("status"), then["org_id"]) == ('["view"]', None, "o-1")
    assert profile_as_of([PROMOTED], T) is None


def test_statements_of_the_same_moment_fold_in_permission_version_order():
    first = ProfileStatement("e-9", T, {"permissions": '["a"]', "permission_version": "2"})
    second = ProfileStatement("e-1", T, {"permissions": '["b"]', "permission_version": "3"})
    assert profile_as_of([second, first])["permissions"] == '["b"]'


def judged(finding):
    return Judgement("profile:u-1", "o-1", "u-1", finding)


def test_a_judgement_that_finds_something_new_raises_it():
    change = change_of_verdict(None, judged(UNKNOWN_DOMAIN))
    assert (change.leaves, change.raises) == (None, UNKNOWN_DOMAIN)


def test_a_judgement_a_later_fact_disproves_leaves_its_finding():
    change = change_of_verdict("unrecognized_domain", judged(FINE))
    assert (change.leaves, change.raises) == ("unrecognized_domain", None)


def test_the_same_finding_again_does_nothing():
    assert change_of_verdict("unrecognized_domain", judged(UNKNOWN_DOMAIN)).nothing


def test_an_undecided_judgement_raises_nothing():
    assert judged(None).verdict is Verdict.UNDECIDED
    assert change_of_verdict(None, judged(None)).nothing
