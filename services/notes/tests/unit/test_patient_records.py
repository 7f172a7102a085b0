"""Who may change a patient's record: edit_patients in therapy, an Admin in dental."""

import pytest

from notes.domain.errors import AdminOnly, PermissionRequired
from notes.domain.patient_records import (
    PRIVACY_WARNING,
    PracticeModel,
    practice_model,
    require_patient_record_editor,
)


def test_a_dental_admin_edits_and_is_given_the_seeds_privacy_warning():
    assert require_patient_record_editor(PracticeModel.DENTAL, {"manage_users"}) == (
        PRIVACY_WARNING)
    assert PRIVACY_WARNING.startswith("Patient records should only be changed if necessary")


def test_edit_patients_alone_is_not_enough_in_a_dental_practice():
    with pytest.raises(AdminOnly, match="Ask an Admin"):
        require_patient_record_editor(PracticeModel.DENTAL, {"view_patients", "edit_patients"})


def test_a_therapy_practice_needs_edit_patients_and_gives_no_warning():
    assert require_patient_record_editor(PracticeModel.THERAPY, {"edit_patients"}) is None
    with pytest.raises(PermissionRequired) as refused:
        require_patient_record_editor(PracticeModel.THERAPY, {"manage_users"})
    assert refused.value.details == {"missing": ["edit_patients"]}


@pytest.mark.parametrize("raw, model", [("dental", PracticeModel.DENTAL),
                                        ("therapy", PracticeModel.THERAPY),
                                        (None, PracticeModel.THERAPY)])
def test_a_practice_without_a_named_model_is_a_therapy_practice(raw, model):
    assert practice_model(raw) is model


def test_a_date_of_birth_in_the_future_is_refused_with_what_to_correct():
    from datetime import date

    from notes.domain.patient_records import ImplausibleBirthDate, check_date_of_birth

    today = date(2026, 12, 8)
    with pytest.raises(ImplausibleBirthDate, match="cannot be in the future.*check the year"):
        check_date_of_birth(date(2999, 1, 1), today)
    with pytest.raises(ImplausibleBirthDate):
        check_date_of_birth(date(2026, 12, 10), today)


def test_a_newborn_registered_today_or_tomorrow_utc_east_of_utc_is_accepted():
    from datetime import date

    from notes.domain.patient_records import check_date_of_birth

    today = date(2026, 12, 8)
    assert check_date_of_birth(today, today) == today
    assert check_date_of_birth(date(2026, 12, 9), today) == date(2026, 12, 9)


def test_a_date_of_birth_over_130_years_ago_is_a_typing_slip():
    from datetime import date

    from notes.domain.patient_records import ImplausibleBirthDate, check_date_of_birth

    today = date(2026, 12, 8)
    assert check_date_of_birth(date(1896, 12, 8), today) == date(1896, 12, 8)
    with pytest.raises(ImplausibleBirthDate, match="not plausible"):
        check_date_of_birth(date(1896, 12, 7), today)
    with pytest.raises(ImplausibleBirthDate):
        check_date_of_birth(date(1800, 1, 1), today)
    # On 29 February the limit is 1 March, 130 years back (that year may have no 29th).
    assert check_date_of_birth(date(1898, 3, 1), date(2028, 2, 29)) == date(1898, 3, 1)
