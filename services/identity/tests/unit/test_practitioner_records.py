"""The rules for practitioner records an Admin keeps by hand: a namesake waits for a
decision, a linked or invited record stays, a linked record shows its user's role."""

import pytest

from identity.domain.errors import (
    InvalidRequest,
    PractitionerDecisionRequired,
    PractitionerInUse,
)
from identity.domain.practitioner_records import (
    record_name,
    require_own_clinical_role,
    require_removable,
)
from identity.domain.practitioners import PendingPractitioner, Practitioner
from identity.domain.roles import ClinicalRole

ADA = Practitioner("p-ada", "Ada Brook")
LINKED = Practitioner("p-rae", "Rae Kim", user_id="u-rae")
INVITED = Practitioner("p-lou", "Lou Park", invitation_id="i-lou")


def test_a_new_record_with_a_fresh_name_is_tidied():
    named = record_name("  Mia   Tran ", [ADA, LINKED])
    assert (named.name, named.confirmed_different_person) == ("Mia Tran", False)


def test_a_new_record_named_like_a_record_waits_for_a_decision():
    with pytest.raises(PractitionerDecisionRequired) as held:
        record_name("ada BROOK", [ADA, LINKED])
    assert held.value.details["possible_duplicates"] == [
        {"kind": "practitioner", "id": "p-ada", "name": "Ada Brook", "linked": False,
         "invited": False}]


def test_a_new_record_named_like_an_open_invitations_new_practitioner_waits():
    with pytest.raises(PractitionerDecisionRequired) as held:
        record_name("Jo Reyes", [], [PendingPractitioner("i-jo", "Jo Reyes")])
    assert held.value.details["possible_duplicates"][0]["kind"] == "invitation"


def test_a_confirmed_namesake_is_a_different_person():
    named = record_name("Ada Brook", [ADA], confirm=True)
    assert named.confirmed_different_person is True


def test_a_rename_is_no_namesake_of_the_record_itself_but_of_others():
    assert record_name("ADA brook", [ADA], record_id="p-ada").name == "ADA brook"
    with pytest.raises(PractitionerDecisionRequired):
        record_name("Rae Kim", [ADA, LINKED], record_id="p-ada")


def test_a_record_needs_a_name():
    with pytest.raises(InvalidRequest):
        record_name("   ", [])


def test_only_a_free_record_keeps_its_own_clinical_role():
    require_own_clinical_role(ADA, ClinicalRole.HYGIENIST)
    require_own_clinical_role(LINKED, None)
    with pytest.raises(InvalidRequest):
        require_own_clinical_role(LINKED, ClinicalRole.HYGIENIST)


def test_a_linked_or_invited_record_stays():
    require_removable(ADA)
    with pytest.raises(PractitionerInUse) as linked:
        require_removable(LINKED)
    assert "Rename it" in linked.value.message
    with pytest.raises(PractitionerInUse) as invited:
        require_removable(INVITED)
    assert invited.value.details["invitation_id"] == "i-lou"
