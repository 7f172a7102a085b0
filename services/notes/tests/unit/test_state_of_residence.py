"""A patient's state of residence is a US state's or jurisdiction's two-letter code."""

import pytest

from notes.domain.residence import US_STATES, NotAState, state_of_residence


@pytest.mark.parametrize(("given", "stored"), [("ca", "CA"), (" NY ", "NY"), ("dc", "DC"),
                                               ("PR", "PR"), (None, None)])
def test_a_code_is_kept_upper_cased_and_unknown_stays_unknown(given, stored):
    assert state_of_residence(given) == stored


@pytest.mark.parametrize("given", ["", "California", "XX", "C", "C A"])
def test_anything_else_is_refused(given):
    with pytest.raises(NotAState, match="two-letter"):
        state_of_residence(given)


def test_every_state_and_dc_is_known():
    assert len(US_STATES - {"PR", "GU", "VI", "AS", "MP"}) == 51
