"""A report window is whole UTC days (read from the rollups) and the edges it cuts (read
from the record); together they cover [start, end) exactly once."""

import random
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from audit.domain.access import AccessFact, Action
from audit.domain.reports import (
    AccessTally,
    ReportSubject,
    build_user_access_report,
    report_from_tallies,
    tallies_of_facts,
)
from audit.domain.rollups import (
    NO_PRACTICE,
    RollupKey,
    roll_up,
    split_window,
    start_of,
    totals_inside,
)

MIDNIGHT = datetime(2026, 11, 3, tzinfo=UTC)


def covered(start, end):
    """The pieces of [start, end) the parts name, in order."""
    parts = split_window(start, end)
    pieces = list(parts.edges)
    if parts.first_day is not None:
        pieces.append((start_of(parts.first_day), start_of(parts.end_day)))
    return sorted(pieces)


def test_a_window_inside_one_day_is_all_edge():
    start, end = MIDNIGHT + timedelta(hours=2), MIDNIGHT + timedelta(hours=5)
    parts = split_window(start, end)
    assert parts.first_day is None
    assert parts.edges == ((start, end),)


def test_a_window_across_one_midnight_has_no_whole_day():
    start, end = MIDNIGHT - timedelta(hours=1), MIDNIGHT + timedelta(hours=1)
    parts = split_window(start, end)
    assert parts.first_day is None
    assert parts.edges == ((start, end),)


def test_whole_days_between_two_cut_days():
    start, end = MIDNIGHT + timedelta(hours=7), MIDNIGHT + timedelta(days=3, hours=1)
    parts = split_window(start, end)
    assert (parts.first_day, parts.end_day) == (date(2026, 11, 4), date(2026, 11, 6))
    assert parts.edges == ((start, MIDNIGHT + timedelta(days=1)),
                           (MIDNIGHT + timedelta(days=3), end))


def test_a_window_from_midnight_to_midnight_is_whole_days_only():
    parts = split_window(MIDNIGHT, MIDNIGHT + timedelta(days=2))
    assert (parts.first_day, parts.end_day) == (date(2026, 11, 3), date(2026, 11, 5))
    assert parts.edges == ()


def test_one_whole_day_exactly():
    parts = split_window(MIDNIGHT, MIDNIGHT + timedelta(days=1))
    assert (parts.first_day, parts.end_day) == (date(2026, 11, 3), date(2026, 11, 4))
    assert parts.edges == ()


def test_a_window_in_another_zone_is_cut_at_utc_midnights():
    berlin = timezone(timedelta(hours=1))
    start = datetime(2026, 11, 3, 0, 30, tzinfo=berlin)  # 23:30 UTC on the 2nd
    parts = split_window(start, start + timedelta(days=2))
    assert parts.first_day == date(2026, 11, 3)
    assert parts.edges[0] == (start, MIDNIGHT)


def test_an_empty_or_inverted_window_is_refused():
    with pytest.raises(ValueError, match="end after it starts"):
        split_window(MIDNIGHT, MIDNIGHT)
    with pytest.raises(ValueError, match="timezone-aware"):
        split_window(datetime(2026, 1, 1), datetime(2026, 1, 2))


@pytest.mark.parametrize("seed", range(200))
def test_random_windows_are_covered_once_without_gaps(seed):
    rng = random.Random(seed)
    start = MIDNIGHT + timedelta(seconds=rng.randrange(-5 * 86400, 5 * 86400),
                                 microseconds=rng.choice((0, rng.randrange(10**6))))
    end = start + timedelta(seconds=rng.choice((1, 60, 3600, 86400, rng.randrange(10**6))),
                            microseconds=rng.randrange(10**6))
    pieces = covered(start, end)
    assert pieces[0][0] == start and pieces[-1][1] == end
    for (_, left_end), (right_start, _) in zip(pieces, pieces[1:], strict=False):
        assert left_end == right_start
    parts = split_window(start, end)
    assert len(parts.edges) <= 2
    for edge_start, edge_end in parts.edges:  # no whole day is read from the record
        first_midnight = start_of(edge_start.date() + timedelta(days=1))
        if edge_start != start_of(edge_start.date()):
            assert first_midnight + timedelta(days=1) > edge_end
        else:
            assert edge_start + timedelta(days=1) > edge_end


def fact(patient, action, when, count=1, actor="u-sam"):
    return AccessFact(actor, patient, action, f"x.y.{action.value}", when, count)


def test_facts_of_one_day_roll_up_into_one_tally_per_key():
    facts = [fact("p-1", Action.VIEWED, MIDNIGHT + timedelta(hours=h)) for h in (9, 3, 17)]
    facts.append(fact("p-1", Action.SHARED, MIDNIGHT + timedelta(hours=4), count=3))
    facts.append(fact("p-1", Action.VIEWED, MIDNIGHT + timedelta(days=1)))
    tallies = roll_up([("org-1", f) for f in facts] + [(None, facts[0])])
    viewed = tallies[RollupKey("org-1", "u-sam", "p-1", Action.VIEWED, date(2026, 11, 3))]
    assert (viewed.records, viewed.first_at, viewed.last_at) == (
        3, MIDNIGHT + timedelta(hours=3), MIDNIGHT + timedelta(hours=17))
    assert tallies[RollupKey("org-1", "u-sam", "p-1", Action.SHARED,
                             date(2026, 11, 3))].records == 3
    assert tallies[RollupKey("org-1", "u-sam", "p-1", Action.VIEWED,
                             date(2026, 11, 4))].records == 1
    assert tallies[RollupKey(NO_PRACTICE, "u-sam", "p-1", Action.VIEWED,
                             date(2026, 11, 3))].records == 1


def test_a_report_from_day_tallies_and_edge_facts_equals_one_from_the_facts():
    rng = random.Random(7)
    facts = [fact(f"p-{rng.randrange(5)}", rng.choice(list(Action)),
                  MIDNIGHT + timedelta(seconds=rng.randrange(6 * 86400)), rng.randrange(1, 4))
             for _ in range(400)]
    start, end = MIDNIGHT + timedelta(hours=13, minutes=5), MIDNIGHT + timedelta(days=4, hours=2)
    parts = split_window(start, end)
    whole = [(None, f) for f in facts
             if parts.first_day <= f.occurred_at.date() < parts.end_day]
    tallies = [AccessTally(k.patient_id, k.action, t.records, t.first_at, t.last_at)
               for k, t in roll_up(whole).items()]
    for edge_start, edge_end in parts.edges:
        tallies += tallies_of_facts(facts, edge_start, edge_end, lambda f: True,
                                    lambda f: f.patient_id)
    assert report_from_tallies(tallies, ReportSubject.USER, "u-sam", start, end) == \
        build_user_access_report(facts, "u-sam", start, end)


def total(key, first, last, records=1, action=Action.VIEWED):
    return AccessTally(key, action, records, first, last)


def test_a_key_whose_first_and_last_access_lie_inside_counts_whole_and_others_are_cut():
    start, end = MIDNIGHT, MIDNIGHT + timedelta(days=3)
    inside, cut = totals_inside([
        total("p-in", start, end - timedelta(microseconds=1)),  # both ends included
        total("p-early", start - timedelta(seconds=1), start + timedelta(hours=1)),
        total("p-late", end - timedelta(hours=1), end),  # the end is excluded
        total("p-around", start - timedelta(days=1), end + timedelta(days=1)),
        total("p-before", start - timedelta(days=2), start - timedelta(microseconds=1)),
        total("p-after", end, end + timedelta(days=1)),
    ], start, end)
    assert [t.key for t in inside] == ["p-in"]
    assert cut == {("p-early", Action.VIEWED), ("p-late", Action.VIEWED),
                   ("p-around", Action.VIEWED)}
