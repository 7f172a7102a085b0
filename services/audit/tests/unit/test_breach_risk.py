import pytest

from audit.domain.breach_risk import (
    Compromise,
    Factor,
    FactorRating,
    Rating,
    assess_compromise_risk,
)


def rated(**overrides: Rating) -> list[FactorRating]:
    return [FactorRating(f, overrides.get(f.value, Rating.LOW), f"why {f.value}")
            for f in Factor]


def test_four_low_factors_show_a_low_probability_and_no_notification():
    result = assess_compromise_risk(rated())
    assert result.probability_of_compromise is Compromise.LOW
    assert result.notification_required is False
    assert [r.factor for r in result.ratings] == list(Factor)


@pytest.mark.parametrize("factor", [f.value for f in Factor])
def test_any_factor_above_low_means_notify(factor):
    result = assess_compromise_risk(rated(**{factor: Rating.MEDIUM}))
    assert result.probability_of_compromise is Compromise.NOT_LOW
    assert result.notification_required is True


def test_without_a_risk_assessment_the_incident_is_presumed_a_breach():
    result = assess_compromise_risk([])
    assert result.notification_required is True
    assert "presumed to be a breach" in result.notes[0]


def test_a_missing_factor_leaves_the_presumption_standing():
    result = assess_compromise_risk(rated()[:3])
    assert result.notification_required is True
    assert "mitigation" in result.notes[0]


def test_not_viewed_cannot_be_claimed_when_the_record_shows_accesses():
    result = assess_compromise_risk(rated(), records_touched=7)
    assert result.notification_required is True
    assert result.records_touched == 7
    assert any("touched 7 records" in note for note in result.notes)


def test_a_factor_rated_twice_is_refused():
    with pytest.raises(ValueError, match="rated twice"):
        assess_compromise_risk([*rated(), rated()[0]])
