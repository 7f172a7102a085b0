import pytest

from audit.config import AuditConfig
from audit.domain.retention import RetentionTooShort
from servicekit.config import load_config


def test_the_record_is_kept_six_years_by_default():
    assert load_config(AuditConfig, "audit", environ={}).retention_years == 6


def test_a_longer_retention_is_accepted():
    config = load_config(AuditConfig, "audit", environ={"AUDIT_RETENTION_YEARS": "10"})
    assert config.retention_years == 10


@pytest.mark.parametrize("years", ["5", "0", "-1"])
def test_a_retention_shorter_than_six_years_is_refused_at_start_up(years):
    with pytest.raises(RetentionTooShort, match="shorter than the required 6"):
        load_config(AuditConfig, "audit", environ={"AUDIT_RETENTION_YEARS": years})


def test_an_override_cannot_shorten_it_either():
    with pytest.raises(RetentionTooShort):
        load_config(AuditConfig, "audit", environ={}, retention_years=3)
