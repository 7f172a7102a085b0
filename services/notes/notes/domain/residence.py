"""A patient's state of residence: the two-letter code of a US state or jurisdiction.

The HIPAA breach rule (45 CFR 164.406) owes a notice to the media of each State or
jurisdiction where more than 500 residents are affected, so audit needs each patient's state.
The code alone leaves notes, as a fact (``notes.patient.residence_recorded``); the address
stays here.
"""

from __future__ import annotations

# The 50 states, the District of Columbia and the territories HHS treats as jurisdictions.
US_STATES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
    "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
    "VA", "WA", "WV", "WI", "WY", "DC", "PR", "GU", "VI", "AS", "MP",
})


class NotAState(ValueError):
    """The value is not the two-letter code of a US state or jurisdiction."""


def state_of_residence(value: str | None) -> str | None:
    """The code upper-cased (None stays None: not known); anything else is NotAState."""
    if value is None:
        return None
    code = value.strip().upper()
    if code not in US_STATES:
        raise NotAState("Give the state of residence as its two-letter US code, like CA or "
                        "NY (DC and the territories too), or null when it is not known.")
    return code
