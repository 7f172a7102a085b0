"""Notes knows identity's dental user types: practitioners write and sign their own notes
with billing codes typed by hand (no therapy CPT codes offered); office staff write none."""

from __future__ import annotations

import pytest

from notes.domain.catalog import load_user_types
from notes.domain.users import UserCategory

PRACTITIONERS = ["Dentist", "Hygienist", "Oral Health Therapist", "Other practitioner"]


@pytest.mark.parametrize("code", PRACTITIONERS)
def test_a_dental_practitioner_writes_notes_and_is_offered_no_therapy_codes(code):
    types = load_user_types()
    assert types.category_of(code) is UserCategory.THERAPIST
    offer = types.offer_for(code)
    assert (offer.user_type, offer.discipline, offer.codes) == (code, "dentistry", ())


@pytest.mark.parametrize("code", ["Front Desk", "Practice Manager"])
def test_dental_office_staff_are_clerical(code):
    types = load_user_types()
    assert code in types.by_code
    assert types.category_of(code) is UserCategory.CLERICAL
    assert types.offer_for(code).codes == ()
