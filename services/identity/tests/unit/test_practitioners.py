"""One person, one practitioner record: a new record with a namesake waits for a decision,
and a record that is someone's is never linked to anyone else (DOMAIN.md, the dental seed:
"To avoid creating duplicate Practitioners always select an existing Practitioner")."""

import pytest

from identity.domain.added_staff import AddedStaff, place_added_staff
from identity.domain.errors import InvalidRequest, PractitionerAlreadyLinked
from identity.domain.errors import PractitionerDecisionRequired as DecisionRequired
from identity.domain.practitioners import (
    PendingPractitioner,
    Practitioner,
    PractitionerLink,
    choose_practitioner,
    require_no_new_namesake,
)
from identity.domain.roles import ClinicalRole, PracticeRole

FREE = Practitioner("rec-free", "Dr Anh Nguyen")
LINKED = Practitioner("rec-linked", "Kim Tan", user_id="user-kim")
CLAIMED = Practitioner("rec-claimed", "Lou Park", invitation_id="inv-lou")
OPEN_NEW = PendingPractitioner("inv-sam", "Sam  Lee")
RECORDS = (FREE, LINKED, CLAIMED)


def summary(choice):
    return [(c.kind, c.id, c.linked, c.invited) for c in choice.possible_duplicates]


def test_a_new_record_named_like_a_free_record_waits_for_a_decision():
    choice = choose_practitioner("dr ANH  nguyen", RECORDS)
    assert choice.needs_decision
    assert summary(choice) == [("practitioner", "rec-free", False, False)]


def test_a_new_record_named_like_a_record_linked_to_another_user_waits_too():
    choice = choose_practitioner("Kim Tan", RECORDS)
    assert summary(choice) == [("practitioner", "rec-linked", True, False)]


def test_a_new_record_named_like_another_open_invitations_new_one_waits_too():
    choice = choose_practitioner("sam lee", RECORDS, pending=[OPEN_NEW])
    assert summary(choice) == [("invitation", "inv-sam", False, True)]


def test_the_invitation_being_accepted_is_no_namesake_of_itself():
    choice = choose_practitioner("Sam Lee", RECORDS, pending=[OPEN_NEW],
                                 invitation_id="inv-sam")
    assert choice.link == PractitionerLink(new_name="Sam Lee")


def test_confirming_a_different_person_makes_a_confirmed_new_record():
    choice = choose_practitioner("Dr Anh Nguyen", RECORDS, confirm_new=True)
    assert choice.link == PractitionerLink(new_name="Dr Anh Nguyen", confirmed=True)


def test_a_name_nobody_has_needs_no_decision():
    choice = choose_practitioner("Jo  Reyes", RECORDS, pending=[OPEN_NEW])
    assert choice.link == PractitionerLink(new_name="Jo Reyes")


def test_a_free_record_is_linked():
    assert choose_practitioner("Anyone", RECORDS, existing_id="rec-free").link == \
        PractitionerLink(existing_id="rec-free")


def test_a_record_linked_to_another_user_is_never_linked_again():
    with pytest.raises(PractitionerAlreadyLinked, match="belongs to another user"):
        choose_practitioner("Kim Tan", RECORDS, existing_id="rec-linked")


def test_a_record_another_open_invitation_links_is_refused_but_not_to_that_invitation():
    with pytest.raises(PractitionerAlreadyLinked, match="open invitation"):
        choose_practitioner("Lou Park", RECORDS, existing_id="rec-claimed")
    own = choose_practitioner("Lou Park", RECORDS, existing_id="rec-claimed",
                              invitation_id="inv-lou")
    assert own.link == PractitionerLink(existing_id="rec-claimed")


def test_a_record_of_another_practice_or_none_is_refused():
    with pytest.raises(InvalidRequest, match="does not exist in this practice"):
        choose_practitioner("Anyone", RECORDS, existing_id="rec-elsewhere")


def test_at_acceptance_a_namesake_made_since_the_invitation_stops_an_unconfirmed_new_record():
    made_since = Practitioner("rec-new", "Sam Lee", user_id="user-first")
    with pytest.raises(DecisionRequired) as refused:
        require_no_new_namesake(PractitionerLink(new_name="Sam Lee"), [made_since])
    [candidate] = refused.value.details["possible_duplicates"]
    assert candidate == {"kind": "practitioner", "id": "rec-new", "name": "Sam Lee",
                         "linked": True, "invited": False}


def test_at_acceptance_a_confirmed_new_record_or_a_link_goes_ahead():
    made_since = [Practitioner("rec-new", "Sam Lee")]
    require_no_new_namesake(PractitionerLink(new_name="Sam Lee", confirmed=True), made_since)
    require_no_new_namesake(PractitionerLink(existing_id="rec-new"), made_since)


# --- someone a User Manager adds directly (POST /users) -----------------------------------

def place(catalog, model, **added):
    return place_added_staff("Sam Lee", AddedStaff(**added), catalog=catalog,
                             practice_model=model, practitioners=RECORDS, pending=[OPEN_NEW])


def test_a_dental_member_needs_a_role_or_a_dental_type_never_defaults_to_pt(catalog):
    with pytest.raises(InvalidRequest, match="role in the practice"):
        place(catalog, "dental")
    assert place(catalog, "dental", role=PracticeRole.FRONT_DESK).user_type == "Front Desk"
    assert place(catalog, "dental", user_type="Hygienist", confirm_new_practitioner=True
                 ).user_type == "Hygienist"


def test_a_dental_member_is_refused_a_therapy_type(catalog):
    with pytest.raises(InvalidRequest, match="not a user type of a dental practice"):
        place(catalog, "dental", user_type="PT")


def test_a_therapy_member_without_a_role_keeps_the_catalog_default(catalog):
    placed = place(catalog, "therapy")
    assert placed.user_type == catalog.default_code and placed.role is None


def test_an_added_dentist_follows_the_duplicate_rule(catalog):
    held = place(catalog, "dental", role=PracticeRole.PRACTITIONER,
                 clinical_role=ClinicalRole.DENTIST)
    assert held.needs_decision and [c.id for c in held.possible_duplicates] == ["inv-sam"]
    linked = place(catalog, "dental", role=PracticeRole.PRACTITIONER,
                   clinical_role=ClinicalRole.DENTIST, practitioner_id="rec-free")
    assert linked.user_type == "Dentist"
    assert linked.practitioner == PractitionerLink(existing_id="rec-free")
