"""What a person may do to an alert in each status."""

import pytest

from audit.domain.alert_status import (
    ACKNOWLEDGE,
    ACKNOWLEDGED,
    OPEN,
    REOPEN,
    RESOLVE,
    RESOLVED,
    StepRefused,
    check_step,
)


@pytest.mark.parametrize(("status", "step"), [
    (OPEN, ACKNOWLEDGE), (OPEN, RESOLVE), (ACKNOWLEDGED, RESOLVE), (RESOLVED, REOPEN)])
def test_the_steps_that_move_an_alert_forward_are_allowed(status, step):
    check_step(status, step)


@pytest.mark.parametrize(("status", "step", "code"), [
    (ACKNOWLEDGED, ACKNOWLEDGE, "alert_acknowledged"),
    (RESOLVED, ACKNOWLEDGE, "alert_resolved"),
    (RESOLVED, RESOLVE, "alert_resolved"),
    (OPEN, REOPEN, "alert_not_resolved"),
    (ACKNOWLEDGED, REOPEN, "alert_not_resolved")])
def test_a_step_the_status_does_not_allow_is_refused_with_what_to_do(status, step, code):
    with pytest.raises(StepRefused) as refused:
        check_step(status, step)
    assert refused.value.code == code


def test_reopening_leaves_the_alert_open_and_says_so_on_the_bus():
    assert (REOPEN.status, REOPEN.event_type) == (OPEN, "audit.alert.reopened")
    assert (ACKNOWLEDGE.event_type, RESOLVE.event_type) == (
        "audit.alert.acknowledged", "audit.alert.resolved")
