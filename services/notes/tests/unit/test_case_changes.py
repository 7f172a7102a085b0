"""A case's payer changes only while nothing under it is signed (domain/cases.py)."""

from __future__ import annotations

import pytest

from notes.domain.cases import check_insurance_change
from notes.domain.errors import CaseInsuranceLocked


def test_a_cases_insurance_changes_only_while_none_of_its_notes_is_finalized():
    check_insurance_change("case-1", "payer-a", "payer-b", has_finalized_note=False)
    check_insurance_change("case-1", "payer-a", "payer-a", has_finalized_note=True)

    with pytest.raises(CaseInsuranceLocked, match="open a new case") as refused:
        check_insurance_change("case-1", "payer-a", "payer-b", has_finalized_note=True)
    assert refused.value.details["next_step"] == "open_new_case"
