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
